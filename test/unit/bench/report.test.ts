import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadGeneratorTarget } from '../../../bench/report';
import type { Sample } from '../../../bench/stats';

const sample = (scenario: Sample['scenario'], workload: Sample['workload'], load: number): Sample =>
  ({ round: 0, scenario, workload, cpu: { load }, attempts: 1, upstream: { total: 0, authorized: 0 } }) as unknown as Sample;

test('a saturated load generator fails the run only where it measured a path, and direct is named anyway', () => {
  const direct = loadGeneratorTarget([sample('direct', 'iperf', 0.98), sample('netPipe', 'iperf', 0.6), sample('httpForward', 'json', 0.3)]);
  assert.equal(direct.pass, true);
  assert.match(direct.measured, /^max 0\.60 cores; above in direct \(the ceiling, not a path\): iperf direct r1$/);

  const path = loadGeneratorTarget([sample('direct', 'json', 0.5), sample('tcpForward', 'iperf', 0.95)]);
  assert.equal(path.pass, false);
  assert.match(path.measured, /above in iperf tcpForward r1/);
});

test('without CPU readings the target is not measured, neither met nor missed', () => {
  const none = loadGeneratorTarget([{ ...sample('httpForward', 'json', 0), cpu: undefined } as unknown as Sample]);
  assert.equal(none.pass, undefined);
  assert.equal(none.measured, 'not measured');
});
