/** Anything with a synchronous `dispose()`: VS Code's `Disposable`, event subscriptions, timers wrapped as one. */
export interface Disposable {
  dispose(): void;
}

/**
 * Owns disposables and disposes them once, newest first (what was set up last may depend on what came before).
 * One failing `dispose()` does not keep the others alive: all run, then the failures are thrown together. Adding
 * to a disposed store disposes the item at once, so a late registration cannot leak.
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  static of(...items: Disposable[]): DisposableStore {
    const store = new DisposableStore();
    store.push(...items);
    return store;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds several at once (reads like the arrays it replaces). */
  push(...items: Disposable[]): void {
    for (const item of items) this.add(item);
  }

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const failures: unknown[] = [];
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} disposables failed`);
  }
}
