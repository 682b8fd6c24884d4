import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CacheController } from './cache.controller';
import { AppCacheModuleBase } from './cache.module-definition';
import { CacheService } from './cache.service';
import { CachedMethodsExplorer } from './cached.explorer';

/**
 * The shared two-level cache (named to stay clear of @nestjs/cache-manager's CacheModule).
 * Global: any provider can inject CacheService or use `@Cached()`. Uses RedisService for L2
 * and SchedulerRegistry for the sweep when their modules are loaded; works without either.
 * Configured with `AppCacheModule.forRoot(options)` or `forRootAsync(...)` (CacheOptions).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [CacheController],
  providers: [CacheService, CachedMethodsExplorer],
  exports: [CacheService],
})
export class AppCacheModule extends AppCacheModuleBase {}
