/**
 * Runs async teardown steps one after another, in the order given (each may depend on the ones after it still
 * being up). A failing step does not stop the rest: all run, then the failures are thrown together.
 */
export async function closeInOrder(steps: readonly (() => Promise<unknown> | unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} teardown steps failed`);
}
