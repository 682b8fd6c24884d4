import { Type } from '@sinclair/typebox';
import { NamedMap, OpenObject, StringEnum } from '../../common/api-route/schema-types';
import { ResourceStateSchema } from '../registry/registry.schema';

/** Answer of GET /health/live (see LivenessFigures). */
export const LivenessSchema = Type.Object({
  status: StringEnum(['ok']),
  uptime_s: Type.Integer(),
  event_loop_delay_ms: Type.Object({ p50: Type.Number(), p99: Type.Number() }),
  heap_used_mb: Type.Integer(),
  rss_mb: Type.Integer(),
});

/** One check of the readiness answer: `up` or `down`, with what the check adds. */
const IndicatorsSchema = NamedMap(OpenObject({ status: StringEnum(['up', 'down']) }));

/** Answer of GET /health/ready (@nestjs/terminus's health check result), 200 or 503. */
export const ReadinessSchema = Type.Object({
  status: StringEnum(['ok', 'error', 'shutting_down']),
  info: Type.Optional(IndicatorsSchema),
  error: Type.Optional(IndicatorsSchema),
  details: IndicatorsSchema,
});

/** Answer of GET /health/startup, 200 or 503. */
export const StartupSchema = Type.Object({
  status: StringEnum(['ok', 'starting']),
  resources: NamedMap(ResourceStateSchema),
  waiting_for: NamedMap(Type.Array(Type.String()), {
    description: 'what each resource still waits for; empty once started',
  }),
});
