import { ConfigurableModuleBuilder } from '@nestjs/common';
import { CacheOptions } from './cache.options';

/** AppCacheModule.forRoot(options) / forRootAsync({ inject, useFactory }); options under CACHE_OPTIONS. */
export const {
  ConfigurableModuleClass: AppCacheModuleBase,
  MODULE_OPTIONS_TOKEN: CACHE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheOptions>().setClassMethodName('forRoot').build();
