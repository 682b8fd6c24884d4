import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { ResourceRegistry } from '../../registry/resource-registry.service';
import { ResourcesBoot } from '../../registry/resources-boot';

/**
 * What AppCacheModule expects the app to provide globally: the registry and its boot, and
 * AppConfig for the admin key guard of the cache's admin routes.
 */
@Global()
@Module({})
export class CacheTestDepsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CacheTestDepsModule,
      providers: [{ provide: AppConfig, useValue: config }, ResourceRegistry, ResourcesBoot],
      exports: [AppConfig, ResourceRegistry],
    };
  }
}
