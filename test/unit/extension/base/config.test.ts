import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Config, Setting, parseTunnelMode } from '../../../../src/extension/base/config';

const config = (values: Record<string, unknown>) => new Config((key) => values[key]);

describe('Config', () => {
  it('reads preferred ports, ignoring ones that are not ports', () => {
    const c = config({ [Setting.forwardPorts]: { api: 8080, bad: 70000, text: '80', zero: 0 } });
    assert.equal(c.forwardPort('api'), 8080);
    for (const name of ['bad', 'text', 'zero', 'missing']) assert.equal(c.forwardPort(name), 0, name);
    assert.equal(config({ [Setting.forwardPorts]: 'oops' }).forwardPort('api'), 0);
  });

  it('reads auto-start entries as connection/destination and skips malformed ones', () => {
    const c = config({ [Setting.autoStart]: ['dev/orders', 'bad', 'dev/', 'a/b/c', 42, 'sandbox/onprem-erp-basic'] });
    assert.deepEqual(c.autoStart(), [
      { connection: 'dev', destination: 'orders' },
      { connection: 'sandbox', destination: 'onprem-erp-basic' },
    ]);
    assert.deepEqual(config({}).autoStart(), []);
  });

  it('tunnel modes per connection, default direct', () => {
    const c = config({ [Setting.tunnels]: { dev: 'cf-ssh:my-app', kyma: 'kubectl:conn', plain: 'kubectl', odd: 'teleport' } });
    assert.deepEqual(c.tunnelMode('dev'), { kind: 'cf-ssh', app: 'my-app' });
    assert.deepEqual(c.tunnelMode('kyma'), { kind: 'kubectl', namespace: 'conn' });
    assert.deepEqual(c.tunnelMode('plain'), { kind: 'kubectl' });
    assert.deepEqual(c.tunnelMode('odd'), { kind: 'direct' });
    assert.deepEqual(c.tunnelMode('none'), { kind: 'direct' });
    assert.deepEqual(parseTunnelMode('cf-ssh:'), { kind: 'direct' });
  });

  it('booleans only when they are true, and a sandbox port base within range', () => {
    assert.equal(config({ [Setting.allowWebSocket]: 'true' }).allowWebSocket(), false);
    assert.equal(config({ [Setting.allowWebSocket]: true }).allowWebSocket(), true);
    assert.equal(config({ [Setting.terminalEnv]: true }).terminalEnvironment(), true);
    assert.equal(config({ [Setting.sandboxPortBase]: 8400 }).sandboxPortBase(), 8400);
    assert.equal(config({ [Setting.sandboxPortBase]: 70000 }).sandboxPortBase(), 0);
  });

  it('a forward spec from the settings: port, WebSocket and cookies per destination', () => {
    const c = config({ [Setting.forwardPorts]: { erp: 8080 }, [Setting.allowWebSocket]: true, [Setting.passCookies]: ['erp', 42] });
    assert.deepEqual(c.forwardSpec('erp'), { destination: 'erp', port: 8080, allowWebSocket: true, passCookies: true, maxConnections: 128 });
    assert.deepEqual(c.forwardSpec('crm'), { destination: 'crm', port: 0, allowWebSocket: true, passCookies: false, maxConnections: 128 });
    assert.equal(config({ [Setting.passCookies]: 'erp' }).passCookies('erp'), false, 'only a list counts');
  });

  it('maxConnections from 1 to 4096, else the default of 128', () => {
    assert.equal(config({ [Setting.maxConnections]: 16 }).forwardSpec('erp').maxConnections, 16);
    for (const value of [0, 4097, 2.5, '16', null, undefined]) assert.equal(config({ [Setting.maxConnections]: value }).maxConnections(), 128, String(value));
  });
});
