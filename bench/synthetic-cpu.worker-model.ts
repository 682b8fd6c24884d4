/**
 * SYNTHETIC, bench only: a stand-in for a CPU-heavy model (model-workers.bench.ts, and the app
 * booted by bench/app-synthetic-model.ts). `infer()` burns `ms` of CPU (spec option, default 20)
 * on whichever thread runs it; `generate(request)` burns the same and answers a caption model's
 * result (a placeholder caption, `hashtag_count` tags); `holdMb` keeps a buffer of that size, so
 * unloading has memory to give back. No real model is this simple.
 */
import type { ModelSpec } from '../src/resources/model-pool/model-pool.types';

export function load(spec: ModelSpec) {
  const { ms = 20, holdMb = 0 } = spec.options as { ms?: number; holdMb?: number };
  let weights: Buffer | undefined = Buffer.alloc(holdMb * 1024 * 1024, 1);
  const infer = (): number => {
    const end = performance.now() + ms;
    let spins = 0;
    while (performance.now() < end) spins += 1;
    return spins + (weights?.length ?? 0) * 0;
  };
  return {
    infer,
    generate: (request: { hashtag_count: number; max_length: number }) => {
      const spins = infer();
      return {
        caption: `SYNTHETIC caption (${spins} spins)`.slice(0, request.max_length),
        hashtags: Array.from({ length: request.hashtag_count }, (_, i) => `#synthetic${i}`),
      };
    },
    unload: () => {
      weights = undefined;
    },
  };
}
