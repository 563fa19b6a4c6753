// A node:test reporter for scripts/test.mjs: one JSON line per skipped test or suite, with its file and reason.
// Node's own totals ("ℹ skipped N") count a skipped `describe` nowhere; this sees it (its event has `skip` too).
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, file, details } = event.data;
    if (skip === undefined || skip === false) continue;
    yield `${JSON.stringify({ file: file ?? '', name, reason: typeof skip === 'string' ? skip : '', suite: details?.type === 'suite' })}\n`;
  }
}
