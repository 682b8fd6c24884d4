import { Global, Module } from '@nestjs/common';
import { DatabaseController } from './database.controller';
import { DatabaseModuleBase } from './database.module-definition';
import { DatabaseService } from './database.service';

/**
 * The shared PostgreSQL pool, configured with `DatabaseModule.forRoot({ schema, ...options })`
 * or `forRootAsync({ schema, inject, useFactory })`; features hand in their entities and
 * migrations as the schema.
 */
@Global()
@Module({
  controllers: [DatabaseController],
  providers: [DatabaseService],
  exports: [DatabaseService],
})
export class DatabaseModule extends DatabaseModuleBase {}
