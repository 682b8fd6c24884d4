import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../../common/util/with-timeout';
import { HEALTH_CHECK_TIMEOUT_MS, ManagedResource } from '../registry/managed-resource';

/**
 * One terminus indicator over any managed resource, on the current HealthIndicatorService API.
 * A resource that is not `required` is reported (healthy, degraded, unhealthy, disabled) without
 * ever failing the probe — Redis on readiness, per the contract.
 */
@Injectable()
export class ResourceHealthIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  async check(resource: ManagedResource): Promise<HealthIndicatorResult> {
    const name = resource.name;
    const indicator = this.indicators.check(name);
    const health = await withTimeout(
      resource.health(),
      HEALTH_CHECK_TIMEOUT_MS,
      `${name} health`,
    ).catch(() => ({ status: 'unhealthy' as const, details: { error: 'health check timed out' } }));
    const data = { health: health.status, state: resource.state };
    const failing = health.status === 'unhealthy';
    return failing && resource.required ? indicator.down(data) : indicator.up(data);
  }
}
