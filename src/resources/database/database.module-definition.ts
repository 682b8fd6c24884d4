import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DATABASE_SCHEMA } from './database.constants';
import { DatabaseModuleExtras, DatabaseOptions } from './database.options';

/**
 * DatabaseModule.forRoot({ schema, ...options }) / forRootAsync({ schema, inject, useFactory }):
 * options under DATABASE_OPTIONS; the schema (the features' entities and migrations, not
 * configuration) is an extra, provided under DATABASE_SCHEMA.
 */
export const {
  ConfigurableModuleClass: DatabaseModuleBase,
  MODULE_OPTIONS_TOKEN: DATABASE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DatabaseOptions>()
  .setClassMethodName('forRoot')
  .setExtras<DatabaseModuleExtras>(
    { schema: { entities: [], migrations: [] } },
    (definition, { schema }) => ({
      ...definition,
      providers: [...(definition.providers ?? []), { provide: DATABASE_SCHEMA, useValue: schema }],
    }),
  )
  .build();
