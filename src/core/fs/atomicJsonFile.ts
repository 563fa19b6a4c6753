import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomicWrite';

/**
 * A JSON file that is replaced atomically: write a temp file, fsync it, rename it over the old one, fsync the
 * directory. A kill -9 at any moment leaves either the old or the new content, never a torn file. Writes are
 * serialised and coalesced: a caller's promise resolves only once a write containing its change is durable.
 */
export class AtomicJsonFile {
  private writing: Promise<void> | undefined;
  private queued: { text: string; waiters: { resolve: () => void; reject: (error: unknown) => void }[] } | undefined;
  private sequence = 0;

  constructor(readonly path: string) {}

  async read(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return JSON.parse(text);
  }

  write(value: unknown): Promise<void> {
    let text: string;
    try {
      text = `${JSON.stringify(value, null, 1)}\n`;
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      if (this.queued) {
        this.queued.text = text;
        this.queued.waiters.push({ resolve, reject });
      } else {
        this.queued = { text, waiters: [{ resolve, reject }] };
      }
      if (!this.writing) this.writing = this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queued) {
      const batch = this.queued;
      this.queued = undefined;
      try {
        await this.replace(batch.text);
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of batch.waiters) waiter.reject(error);
      }
    }
    this.writing = undefined;
  }

  private replace(text: string): Promise<void> {
    // Numbered per file, so that a writer's temp names are known in advance (a test makes them fail that way).
    return writeFileAtomic(this.path, text, 0o600, `${this.path}.${process.pid}.${++this.sequence}.tmp`);
  }
}
