/**
 * SYNTHETIC, bench only: a stand-in for a CPU-heavy model (model-workers.bench.ts). `infer()`
 * burns `ms` of CPU (spec option, default 20) on whichever thread runs it; `holdMb` keeps a
 * buffer of that size, so unloading has memory to give back. No real model is this simple.
 */
import type { ModelSpec } from '../src/resources/model-pool/model-pool.types';

export function load(spec: ModelSpec) {
  const { ms = 20, holdMb = 0 } = spec.options as { ms?: number; holdMb?: number };
  let weights: Buffer | undefined = Buffer.alloc(holdMb * 1024 * 1024, 1);
  return {
    infer: (): number => {
      const end = performance.now() + ms;
      let spins = 0;
      while (performance.now() < end) spins += 1;
      return spins + (weights?.length ?? 0) * 0;
    },
    unload: () => {
      weights = undefined;
    },
  };
}
