/**
 * Reuses a probe's result for `ttlMs`, and shares one in-flight probe among concurrent callers,
 * so a burst of Kubernetes probes costs one database round trip.
 */
export class ProbeCache<T> {
  private value?: { result: T; at: number };
  private pending?: Promise<T>;

  constructor(private readonly ttlMs: number) {}

  async get(probe: () => Promise<T>): Promise<T> {
    if (this.value && Date.now() - this.value.at < this.ttlMs) return this.value.result;
    this.pending ??= probe()
      .then((result) => {
        this.value = { result, at: Date.now() };
        return result;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forget the cached result (state changed: shutdown, initialize). */
  reset(): void {
    this.value = undefined;
  }
}
