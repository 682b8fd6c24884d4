/**
 * Sizing presets (RESOURCE_PROFILE), the seed's numbers. `medium` is the contract's defaults, so
 * it sets nothing. A variable set explicitly always wins over its preset value.
 */
export const RESOURCE_PROFILE_NAMES = ['small', 'medium', 'large'] as const;
export type ResourceProfile = (typeof RESOURCE_PROFILE_NAMES)[number];

type SizedVariable =
  | 'DATABASE_POOL_SIZE'
  | 'HTTP_MAX_CONNECTIONS'
  | 'REDIS_POOL_SIZE'
  | 'CACHE_SIZE'
  | 'MODEL_CACHE_SIZE';

export const RESOURCE_PROFILES: Readonly<
  Record<ResourceProfile, Readonly<Partial<Record<SizedVariable, number>>>>
> = {
  small: {
    DATABASE_POOL_SIZE: 10,
    HTTP_MAX_CONNECTIONS: 50,
    REDIS_POOL_SIZE: 10,
    CACHE_SIZE: 5000,
  },
  medium: {},
  large: {
    DATABASE_POOL_SIZE: 50,
    HTTP_MAX_CONNECTIONS: 200,
    REDIS_POOL_SIZE: 50,
    CACHE_SIZE: 20000,
    MODEL_CACHE_SIZE: 10,
  },
};

/** The presets that set something, as operators write them: `small: DATABASE_POOL_SIZE=10, …`. */
export function describeResourceProfiles(): string {
  return Object.entries(RESOURCE_PROFILES)
    .filter(([, sizes]) => Object.keys(sizes).length > 0)
    .map(([name, sizes]) => {
      const settings = Object.entries(sizes).map(([variable, value]) => `${variable}=${value}`);
      return `${name}: ${settings.join(', ')}`;
    })
    .join('; ');
}
