import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHttpAccess } from '../../../../src/sandbox/cloudConnector/accessControl';
import {
  ConfigError,
  formatCloudConnectorFile,
  parseCloudConnectorFile,
  resolveMappings,
  validateCloudConnectorFile,
} from '../../../../src/sandbox/cloudConnector/configFile';
import { defaultCloudConnectorFile } from '../../../../src/sandbox/cloudConnector/sandboxMappings';

const good = () => ({
  connectors: [
    {
      locationId: '',
      mappings: [
        {
          virtualHost: 'erp.virtual',
          virtualPort: 8000,
          localHost: 'builtin:erp',
          protocol: 'HTTP',
          resources: [{ id: '/sap/', enabled: true, exactMatchOnly: false }],
        },
        { virtualHost: 'pg.virtual', virtualPort: 5432, localHost: '127.0.0.1', localPort: 15432, protocol: 'TCP' },
        { virtualHost: 'ldap.virtual', virtualPort: 389, localHost: 'builtin:line', protocol: 'LDAP' },
      ],
    },
  ],
});

/** Applies `change` to a fresh good file and returns the message of the error it must raise. */
function errorOf(change: (file: ReturnType<typeof good>) => void): string {
  const file = good() as unknown as { connectors: Record<string, unknown>[] };
  change(file as unknown as ReturnType<typeof good>);
  try {
    validateCloudConnectorFile(file);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('no error');
}

type Loose = Record<string, unknown>;
const mapping = (file: ReturnType<typeof good>, index: number) => file.connectors[0]?.mappings[index] as unknown as Loose;

describe('cloud-connector.json validation', () => {
  it("accepts a good file and resolves builtin:<system> to this start's ports", () => {
    const file = validateCloudConnectorFile(good());
    const resolved = resolveMappings(file.connectors[0]?.mappings ?? [], { erp: 40001, line: 40002, ldap: 40003, mail: 40004 });
    assert.deepEqual(
      resolved.map((item) => `${item.localHost}:${item.localPort}`),
      ['127.0.0.1:40001', '127.0.0.1:15432', '127.0.0.1:40002'],
    );
  });

  it('round-trips the built-in defaults, which enforce exactly what the fixed mappings did', () => {
    const text = formatCloudConnectorFile(defaultCloudConnectorFile());
    const parsed = parseCloudConnectorFile(text);
    assert.deepEqual(parsed, defaultCloudConnectorFile());
    assert.match(text, /"localHost": "builtin:erp"/);
    assert.doesNotMatch(text, /"localPort"/);
    const mappings = resolveMappings(parsed.connectors[0]?.mappings ?? [], { erp: 1111, line: 2222, ldap: 3333, mail: 4444 });
    const ldap = mappings.find((item) => item.virtualHost === 'ldap.virtual');
    assert.equal(
      `${ldap?.protocol} ${ldap?.localHost}:${ldap?.localPort}`,
      'TCP 127.0.0.1:3333',
      'ldap.virtual:389 is the LDAP directory, reachable through SOCKS5',
    );
    const mail = mappings.find((item) => item.virtualHost === 'smtp.virtual');
    assert.equal(`${mail?.protocol} ${mail?.localHost}:${mail?.localPort}`, 'TCP 127.0.0.1:4444', 'smtp.virtual:25 is the mail server');
    assert.equal(checkHttpAccess(mappings, 'erp.virtual', 8000, '/sap/opu/odata/x').allowed, true);
    assert.equal(checkHttpAccess(mappings, 'erp.virtual', 8000, '/').allowed, false);
  });

  it('names each bad field', () => {
    const cases: [string, (file: ReturnType<typeof good>) => void, RegExp][] = [
      ['not JSON', () => undefined, /./],
      ['connectors', (file) => ((file as unknown as Loose).connectors = {}), /^connectors must be an array$/],
      ['connector', (file) => ((file.connectors as unknown[])[0] = 'x'), /^connectors\[0\] must be an object$/],
      ['locationId', (file) => ((file.connectors[0] as unknown as Loose).locationId = 7), /^connectors\[0\]\.locationId must be a string$/],
      ['repeated locationId', (file) => file.connectors.push({ locationId: '', mappings: [] }), /^connectors\[1\]\.locationId repeats location ID ""$/],
      ['mappings', (file) => ((file.connectors[0] as unknown as Loose).mappings = null), /^connectors\[0\]\.mappings must be an array$/],
      ['virtualHost', (file) => (mapping(file, 1).virtualHost = 'pg virtual'), /^connectors\[0\]\.mappings\[1\]\.virtualHost must be a host name/],
      ['virtualPort', (file) => (mapping(file, 2).virtualPort = 70000), /^connectors\[0\]\.mappings\[2\]\.virtualPort must be 1–65535$/],
      ['localHost', (file) => (mapping(file, 1).localHost = ''), /^connectors\[0\]\.mappings\[1\]\.localHost must not be empty$/],
      [
        'unknown builtin',
        (file) => (mapping(file, 0).localHost = 'builtin:crm'),
        /^connectors\[0\]\.mappings\[0\]\.localHost names no built-in system \(known: builtin:erp, builtin:line, builtin:ldap, builtin:mail\)$/,
      ],
      ['localPort with builtin', (file) => (mapping(file, 0).localPort = 8000), /^connectors\[0\]\.mappings\[0\]\.localPort must be left out for builtin:erp/],
      ['localPort', (file) => (mapping(file, 1).localPort = '5432'), /^connectors\[0\]\.mappings\[1\]\.localPort must be 1–65535$/],
      [
        'protocol',
        (file) => (mapping(file, 1).protocol = 'tcp'),
        /^connectors\[0\]\.mappings\[1\]\.protocol must be one of HTTP, HTTPS, TCP, TCPS, LDAP, LDAPS, RFC, RFCS$/,
      ],
      ['hostInHeader', (file) => (mapping(file, 0).hostInHeader = 'both'), /^connectors\[0\]\.mappings\[0\]\.hostInHeader must be one of virtual, internal$/],
      [
        'authenticationMode',
        (file) => (mapping(file, 0).authenticationMode = 'X509'),
        /^connectors\[0\]\.mappings\[0\]\.authenticationMode must be one of NONE/,
      ],
      ['unknown field', (file) => (mapping(file, 1).internalPort = 1), /^connectors\[0\]\.mappings\[1\]\.internalPort is not a mapping field/],
      [
        'resources on TCP',
        (file) => (mapping(file, 1).resources = []),
        /^connectors\[0\]\.mappings\[1\]\.resources apply to HTTP and HTTPS mappings only, not TCP$/,
      ],
      ['resources', (file) => (mapping(file, 0).resources = {}), /^connectors\[0\]\.mappings\[0\]\.resources must be an array$/],
      [
        'resource id',
        (file) => (mapping(file, 0).resources = [{ id: 'sap' }]),
        /^connectors\[0\]\.mappings\[0\]\.resources\[0\]\.id must be a URL path starting with "\/", not "sap"$/,
      ],
      [
        'resource enabled',
        (file) => (mapping(file, 0).resources = [{ id: '/', enabled: 'yes' }]),
        /^connectors\[0\]\.mappings\[0\]\.resources\[0\]\.enabled must be true or false$/,
      ],
      [
        'resource exactMatchOnly',
        (file) => (mapping(file, 0).resources = [{ id: '/', exactMatchOnly: 1 }]),
        /^connectors\[0\]\.mappings\[0\]\.resources\[0\]\.exactMatchOnly must be true or false$/,
      ],
      [
        'resource unknown field',
        (file) => (mapping(file, 0).resources = [{ id: '/', subPaths: true }]),
        /^connectors\[0\]\.mappings\[0\]\.resources\[0\]\.subPaths is not a resource field/,
      ],
      [
        'repeated virtual host',
        (file) => file.connectors[0]?.mappings.push({ virtualHost: 'PG.virtual', virtualPort: 5432, localHost: 'db', localPort: 1, protocol: 'TCP' }),
        /^connectors\[0\]\.mappings\[3\] repeats virtual host PG\.virtual:5432$/,
      ],
    ];
    for (const [name, change, expected] of cases.slice(1)) assert.match(errorOf(change), expected, name);
    assert.throws(
      () => parseCloudConnectorFile('{ "connectors": ['),
      (error: unknown) => error instanceof ConfigError && /^cloud-connector\.json is not valid JSON/.test(error.message),
    );
  });
});
