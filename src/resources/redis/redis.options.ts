/** How the shared Redis pool is set up (built from the validated configuration in one place). */
export interface RedisOptions {
  /** Whether a Redis is configured (a URL, sentinels or cluster nodes); false: the pool is disabled. */
  enabled: boolean;
  /** redis:// or rediss:// URL: the server in standalone mode; credentials and TLS in every mode. */
  url?: string;
  /** Sentinel mode: `host:port` of each sentinel. */
  sentinels?: string[];
  /** Sentinel mode: the master group name. Default `mymaster`. */
  sentinelName?: string;
  /** Cluster mode (wins over sentinels): `host:port` seed nodes. */
  clusterNodes?: string[];
  /** Command connections used in turn (cluster mode: one Cluster client). */
  poolSize: number;
  /** A command not answered within this fails, ms. */
  commandTimeoutMs: number;
  /** Time to connect, ms. */
  connectTimeoutMs: number;
  /** Prefix of every key this service writes (`key()`). */
  keyPrefix: string;
}
