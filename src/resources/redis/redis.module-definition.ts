import { ConfigurableModuleBuilder } from '@nestjs/common';
import { RedisOptions } from './redis.options';

/** RedisModule.forRoot(options) / forRootAsync({ inject, useFactory }); options under REDIS_OPTIONS. */
export const {
  ConfigurableModuleClass: RedisModuleBase,
  MODULE_OPTIONS_TOKEN: REDIS_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RedisOptions>().setClassMethodName('forRoot').build();
