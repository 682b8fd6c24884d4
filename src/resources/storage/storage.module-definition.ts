import { ConfigurableModuleBuilder } from '@nestjs/common';
import { StorageOptions } from './storage.options';

/** StorageModule.forRoot(options) / forRootAsync({ inject, useFactory }); options under STORAGE_OPTIONS. */
export const {
  ConfigurableModuleClass: StorageModuleBase,
  MODULE_OPTIONS_TOKEN: STORAGE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StorageOptions>().setClassMethodName('forRoot').build();
