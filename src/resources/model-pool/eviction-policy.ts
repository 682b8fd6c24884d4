/**
 * The eviction policy: which loaded models to unload so another fits under the count
 * (MODEL_CACHE_SIZE) and memory (MODEL_MEMORY_LIMIT_MB) budgets. Pure choices over the
 * entries, least recently used first, so the rule can be read apart from the unloading.
 */
import { ModelEntry } from './model-entry';
import { EvictionReason } from './model-pool.types';

export type Victims = Array<[ModelEntry, EvictionReason]>;

/**
 * Picks victims so `entry` fits under both limits, or undefined if it cannot now. Idle models
 * go before leased ones, each group least recently used first.
 */
export function planRoom(
  entries: readonly ModelEntry[],
  entry: ModelEntry,
  estimateMb: number,
  limits: { memoryLimitMb: number; cacheSize: number },
): Victims | undefined {
  const holders = entries.filter(
    (e) => e !== entry && (e.state === 'loaded' || (e.state === 'loading' && e.reserved)),
  );
  let needMb = holders.reduce((sum, e) => sum + e.memoryMb, 0) + estimateMb;
  needMb -= limits.memoryLimitMb;
  let needSlots = holders.length + 1 - limits.cacheSize;
  const candidates = holders
    .filter((e) => e.state === 'loaded')
    .sort((a, b) => Number(a.leases > 0) - Number(b.leases > 0) || a.lastUsed - b.lastUsed);
  const victims: Victims = [];
  for (const candidate of candidates) {
    if (needMb <= 0 && needSlots <= 0) break;
    victims.push([candidate, needSlots > 0 ? 'count' : 'memory']);
    needMb -= candidate.memoryMb;
    needSlots -= 1;
  }
  return needMb <= 1e-9 && needSlots <= 0 ? victims : undefined;
}

/**
 * After `loaded` measured more than estimated: the idle models, least recently used first, to
 * unload until memory is under `limitMb`, and the MB still in use once they are gone. Leased
 * models are never picked: they stay over budget until released.
 */
export function planTrim(
  entries: readonly ModelEntry[],
  loaded: ModelEntry,
  limitMb: number,
): { victims: ModelEntry[]; usedMb: number } {
  let used = entries.filter((e) => e.state !== 'unloading').reduce((sum, e) => sum + e.memoryMb, 0);
  const victims: ModelEntry[] = [];
  if (used <= limitMb) return { victims, usedMb: used };
  const idle = entries
    .filter((e) => e !== loaded && e.state === 'loaded' && e.leases === 0)
    .sort((a, b) => a.lastUsed - b.lastUsed);
  for (const victim of idle) {
    if (used <= limitMb) break;
    used -= victim.memoryMb;
    victims.push(victim);
  }
  return { victims, usedMb: used };
}
