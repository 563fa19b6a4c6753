/** Something that can be released; the same shape as VS Code's Disposable, so the extension can push it. */
export interface Disposable {
  dispose(): void;
}

/** A minimal typed event: `event(listener)` subscribes and returns its disposable; `fire` calls every listener. */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
