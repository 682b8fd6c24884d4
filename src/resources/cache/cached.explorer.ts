import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CacheService } from './cache.service';
import { bindCachedMethods, cachedOptionsOf } from './cached.decorator';

/**
 * Binds every `@Cached()` method of the app's singleton providers to this app's CacheService
 * at start-up (the way @nestjs/schedule finds `@Cron()` methods). Per app, so two apps in one
 * process (e2e tests) each use their own cache. Controllers are not covered: their routes are
 * registered before onModuleInit.
 */
@Injectable()
export class CachedMethodsExplorer implements OnModuleInit {
  private readonly logger = new Logger('Cached');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly cache: CacheService,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      if (!wrapper.isDependencyTreeStatic()) {
        if (hasCachedMethods(instance)) {
          this.logger.warn(
            `@Cached on ${String(wrapper.name)}: request-scoped providers run uncached`,
          );
        }
        continue;
      }
      const bound = bindCachedMethods(instance, this.cache);
      if (bound.length > 0) {
        this.logger.log(`${instance.constructor.name}: cached ${bound.join(', ')}`);
      }
    }
  }
}

function hasCachedMethods(instance: object): boolean {
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (cachedOptionsOf(Object.getOwnPropertyDescriptor(proto, name)?.value)) return true;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}
