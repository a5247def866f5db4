/**
 * Work that many calls in one turn of the event loop ask for, done once after all of them: a commit of everything
 * enqueued, a write of everything published, a refill after every acknowledgement a socket read brought.
 */

/** Runs its function once on the next turn of the event loop (setImmediate), however often it is asked before then. */
export class NextTurn {
  private scheduled = false;

  constructor(private readonly run: () => void) {}

  /** True while a run is asked for and has not started. */
  get pending(): boolean {
    return this.scheduled;
  }

  /** Asks for a run on the next turn (one run, whatever the number of asks). */
  request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }
}
