/**
 * How long one local call (a close, an open) may wait for the cloud in all: each cloud step takes
 * what is left, time spent on local work (Firefox stopping, the zip) is not counted. A step still
 * running when the budget is spent goes on by itself; the caller answers without it.
 */
export class CloudWait {
  private spent = 0;

  constructor(readonly ms: number) {}

  left(): number {
    return Math.max(0, this.ms - this.spent);
  }

  /** `work`'s answer, or `fallback`'s once the budget runs out; `work` gets the time left as its own timeout. */
  async within<T>(work: (timeoutMs: number) => Promise<T>, fallback: () => T): Promise<T> {
    const left = this.left();
    if (left <= 0) return fallback();
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([work(left), new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback()), left)))]);
    } finally {
      clearTimeout(timer);
      this.spent += Date.now() - started;
    }
  }
}
