/**
 * The groups of `.env.example` and of the README's configuration table, in the order they are
 * printed. `note` is an extra comment line under the group's heading in `.env.example`.
 */
export const CONFIG_SECTIONS = {
  server: { title: 'server' },
  database: { title: 'database' },
  redis: { title: 'redis' },
  http: { title: 'outbound HTTP' },
  models: { title: 'models' },
  cache: { title: 'cache' },
  storage: { title: 'file storage' },
  monitoring: { title: 'monitoring' },
  'rate-limits': {
    title: 'rate limits (per client; shared by every instance through Redis when it is configured)',
    note: 'Over a limit: 429 with Retry-After and RateLimit-* headers. Probes and /metrics are never limited.',
  },
} as const satisfies Record<string, { title: string; note?: string }>;

export type ConfigSection = keyof typeof CONFIG_SECTIONS;

/** Groups items by section, sections in CONFIG_SECTIONS order, items in their given order. */
export function inSectionOrder<T extends { section: ConfigSection }>(
  items: readonly T[],
): Array<[ConfigSection, T[]]> {
  return (Object.keys(CONFIG_SECTIONS) as ConfigSection[])
    .map((section): [ConfigSection, T[]] => [
      section,
      items.filter((item) => item.section === section),
    ])
    .filter(([, members]) => members.length > 0);
}
