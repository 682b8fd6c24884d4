import { ConfigurableModuleBuilder } from '@nestjs/common';
import { HttpPoolOptions } from './http-pool.options';

/** HttpPoolModule.forRoot(options) / forRootAsync({ inject, useFactory }); options under HTTP_POOL_OPTIONS. */
export const {
  ConfigurableModuleClass: HttpPoolModuleBase,
  MODULE_OPTIONS_TOKEN: HTTP_POOL_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HttpPoolOptions>().setClassMethodName('forRoot').build();
