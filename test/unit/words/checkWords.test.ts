import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOP_IDS, type CheckResult, type HopResult } from '../../../src/core/diagnosis/types';
import { ErrorCode } from '../../../src/core/errors';
import { checkReport, hopLabels } from '../../../src/words/checkWords';

// A check result in words: one aligned line per hop, the verdict, and the fix of the first failure.

const skipped = (hop: HopResult['hop'], detail: string): HopResult => ({ hop, status: 'skipped', ms: 0, detail });

describe('checkReport', () => {
  it('labels every hop id', () => {
    assert.deepEqual(Object.keys(hopLabels).sort(), [...HOP_IDS].sort());
  });

  it('prints marks, aligned names and times, and the fix of the first failure', () => {
    const failure: HopResult = {
      hop: 'cloudConnector',
      status: 'failed',
      ms: 4.2,
      detail: 'No Cloud Connector is connected (HTTP 503).',
      code: ErrorCode.NoCloudConnector,
      fix: 'Connect one.',
    };
    const result: CheckResult = {
      destination: 'erp',
      kind: 'http',
      proxyType: 'OnPremise',
      target: 'GET http://erp.virtual:8000/',
      hops: [
        { hop: 'tokenService', status: 'ok', ms: 12.34, detail: 'token' },
        { hop: 'destinationLookup', status: 'ok', ms: 150.2, detail: 'found' },
        skipped('authToken', 'NoAuthentication: no token to fetch'),
        skipped('tunnel', 'direct'),
        { hop: 'connectivityProxy', status: 'ok', ms: 1, detail: 'accepted' },
        failure,
        skipped('backend', 'not reached: an earlier hop failed'),
        skipped('tls', 'not reached: an earlier hop failed'),
        skipped('response', 'not reached: an earlier hop failed'),
      ],
      firstFailure: failure,
      totalMs: 170,
    };
    assert.deepEqual(checkReport(result), [
      'erp (HTTP, OnPremise) → GET http://erp.virtual:8000/',
      '✓ token service         12.3 ms  token',
      '✓ destination lookup     150 ms  found',
      '– auth token                     NoAuthentication: no token to fetch',
      '– tunnel                         direct',
      '✓ connectivity proxy     1.0 ms  accepted',
      '✗ Cloud Connector        4.2 ms  No Cloud Connector is connected (HTTP 503).',
      '– backend                        not reached: an earlier hop failed',
      '– TLS                            not reached: an earlier hop failed',
      '– response                       not reached: an earlier hop failed',
      'Broken at the Cloud Connector: No Cloud Connector connected [BTP_NO_CLOUD_CONNECTOR] (170 ms).',
      'Fix: Connect one.',
    ]);
  });

  it('ends a healthy check with OK and the total time; a failed lookup has no target', () => {
    const ok = checkReport({
      destination: 'api',
      kind: 'tcp',
      proxyType: 'Internet',
      target: 'db:5432',
      hops: HOP_IDS.map((hop) => skipped(hop, 'x')),
      totalMs: 3.25,
    });
    assert.equal(ok[0], 'api (TCP, Internet) → db:5432');
    assert.equal(ok.at(-1), 'OK: every hop that applies works (3.3 ms).');
    const failure: HopResult = { hop: 'destinationLookup', status: 'failed', ms: 2, detail: 'missing', code: ErrorCode.NotFound, fix: 'Create it.' };
    const lines = checkReport({ destination: 'nope', hops: [failure], firstFailure: failure, totalMs: 2 });
    assert.deepEqual([lines[0], ...lines.slice(-2)], ['nope', 'Broken at the destination lookup: Not found [BTP_NOT_FOUND] (2.0 ms).', 'Fix: Create it.']);
  });

  it('a warning (the way works, the path is not exposed) marks its hop with ! and ends OK with a hint', () => {
    const warning: HopResult = {
      hop: 'cloudConnector',
      status: 'warning',
      ms: 3,
      detail: 'The way works up to the Cloud Connector, which does not expose erp.virtual:8000/ (HTTP 403).',
      code: ErrorCode.NotExposed,
      fix: 'Check a path that is exposed (--path).',
    };
    const lines = checkReport({
      destination: 'erp',
      hops: [{ hop: 'tokenService', status: 'ok', ms: 1, detail: 'token' }, warning, skipped('backend', 'not reached')],
      warning,
      totalMs: 9,
    });
    assert.deepEqual(lines.slice(1), [
      '✓ token service          1.0 ms  token',
      '! Cloud Connector        3.0 ms  The way works up to the Cloud Connector, which does not expose erp.virtual:8000/ (HTTP 403).',
      '– backend                        not reached',
      'OK with a warning: the way works; the Cloud Connector does not let this path through [BTP_NOT_EXPOSED] (9.0 ms).',
      'Hint: Check a path that is exposed (--path).',
    ]);
  });
});
