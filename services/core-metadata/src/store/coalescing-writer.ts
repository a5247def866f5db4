/**
 * Coalesces file writes: every change made in one tick shares one write, and while a write is in flight, every later
 * change shares the next one. Writes never overlap.
 */

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Runs `write` for batches of changes; {@link request} resolves once a write started after the request succeeds. */
export class CoalescingWriter {
  readonly #write: () => Promise<void>;
  #scheduled: Deferred | undefined;
  #writing: Promise<void> | undefined;
  #writes = 0;

  /**
   * @param write takes its snapshot of the data synchronously when called, then writes it; a rejection fails every
   *   request that shared that write.
   */
  constructor(write: () => Promise<void>) {
    this.#write = write;
  }

  /** Writes completed successfully so far. */
  get writeCount(): number {
    return this.#writes;
  }

  /** Asks for a write covering every change made so far; resolves when it is done. */
  request(): Promise<void> {
    if (!this.#scheduled) {
      const next = deferred();
      this.#scheduled = next;
      // setImmediate, not a microtask: every change made before the event loop turns joins this write.
      setImmediate(() => void this.#run(next));
    }
    return this.#scheduled.promise;
  }

  /** Resolves once every requested write has finished (failures included). */
  async idle(): Promise<void> {
    if (this.#scheduled) await this.#scheduled.promise.catch(() => undefined);
    else if (this.#writing) await this.#writing.catch(() => undefined);
  }

  async #run(next: Deferred): Promise<void> {
    if (this.#writing) await this.#writing.catch(() => undefined);
    // Changes made from here on belong to the following write: this one takes its snapshot synchronously below.
    this.#scheduled = undefined;
    const writing = this.#write();
    this.#writing = writing;
    try {
      await writing;
      this.#writes++;
      next.resolve();
    } catch (err) {
      next.reject(err);
    } finally {
      if (this.#writing === writing) this.#writing = undefined;
    }
  }
}
