import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wanTable, wanTargets, type WanRow } from '../../../bench/wanReport';

const row = (id: string, label: string, startToFirstMs: number, warmP50: number): WanRow => ({
  id,
  label,
  readyMs: 100,
  firstMs: 50,
  startToFirstMs,
  warmP50,
  warmP99: warmP50,
  coldRuns: 3,
  warmRequests: 20,
});

// 20 ms one way: 1 round trip = 40 ms, so the tree's budget is 160 ms, with no process start added.
const partial = {
  oneWayMs: 20,
  processStartMs: 50,
  rows: [row('treeInternet', "tree's Forward command, Internet (Basic)", 185, 44), row('treeOnPremise', "tree's Forward command, OnPremise (Basic)", 151, 90)],
};

test("the tree's Forward command is held to 4 round trips from the command, without a process start", () => {
  const targets = wanTargets(partial);
  const command = (label: string) => targets.find((target) => target.label === `${label}: command → first response ≤ 4 round trips`);
  // 185 ms would fit process start (50 ms) + 4 round trips; the tree starts no process.
  assert.equal(command("tree's Forward command, Internet (Basic)")?.pass, false);
  assert.equal(command("tree's Forward command, OnPremise (Basic)")?.pass, true);
});

test("the tree's Forward command has the warm target of one round trip", () => {
  const warm = wanTargets(partial).filter((target) => target.label.endsWith('a warm request costs 1 round trip'));
  assert.deepEqual(
    warm.map((target) => [target.label, target.pass]),
    [
      ["tree's Forward command, Internet (Basic): a warm request costs 1 round trip", true],
      // 90 ms is two round trips.
      ["tree's Forward command, OnPremise (Basic): a warm request costs 1 round trip", false],
    ],
  );
});

test("the WAN table has a row and target lines for the tree's Forward command", () => {
  const table = wanTable({ ...partial, targets: wanTargets(partial) });
  assert.match(table, /^\| tree's Forward command, OnPremise \(Basic\) \| 100 ms \| 50 ms \| 151 ms \| 90 ms \| 90 ms \| 1\.3 \/ 2\.3 \|$/m);
  assert.match(table, /^- missed: tree's Forward command, Internet \(Basic\): command → first response ≤ 4 round trips: 185 ms = 4\.63 round trips/m);
});
