import { Injectable } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import { AppConfig } from '../../config/app-config';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { ResourceRegistry } from './resource-registry.service';
import { ResourceState } from './resource-state';

/**
 * Admin shutdown / initialize of every resource while the HTTP server stays up. Both are
 * idempotent and serialized, so a shutdown racing an initialize cannot interleave.
 */
@Injectable()
export class ResourcesLifecycleService {
  private readonly mutex = new Mutex();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly lifecycle: LifecycleService,
    private readonly config: AppConfig,
  ) {}

  initialize(): Promise<Record<string, unknown>> {
    return this.mutex.runExclusive(async () => {
      const resources = await this.registry.initializeAll();
      const failed = Object.values(resources).includes(ResourceState.ERROR);
      if (!failed) this.lifecycle.endDrain();
      return { status: failed ? 'degraded' : 'initialized', resources };
    });
  }

  shutdown(): Promise<Record<string, unknown>> {
    return this.mutex.runExclusive(async () => {
      this.lifecycle.beginDrain('admin shutdown');
      // This very request is in flight too, hence the allowance of one.
      const drained = await this.lifecycle.waitForIdle(this.config.SHUTDOWN_GRACE_MS, 1);
      const resources = await this.registry.shutdownAll();
      return { status: 'shutdown', drained, resources };
    });
  }
}
