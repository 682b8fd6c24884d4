import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { ResourceRegistry } from '../../registry/resource-registry.service';

/** What AppCacheModule expects the app to provide globally (AppConfig, ResourceRegistry). */
@Global()
@Module({})
export class CacheTestDepsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CacheTestDepsModule,
      providers: [{ provide: AppConfig, useValue: config }, ResourceRegistry],
      exports: [AppConfig, ResourceRegistry],
    };
  }
}
