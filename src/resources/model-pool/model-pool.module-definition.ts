import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ModelPoolModuleOptions } from './model-pool.options';

/** ModelPoolModule.forRoot(options) / forRootAsync({ inject, useFactory }); options under MODEL_POOL_OPTIONS. */
export const {
  ConfigurableModuleClass: ModelPoolModuleBase,
  MODULE_OPTIONS_TOKEN: MODEL_POOL_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ModelPoolModuleOptions>().setClassMethodName('forRoot').build();
