import { DynamicModule, Global, Module } from '@nestjs/common';
import { DATABASE_SCHEMA } from './database.constants';
import { DatabaseSchema, DatabaseService } from './database.service';
import { DatabaseController } from './database.controller';

/** The shared PostgreSQL pool; features hand in their entities and migrations. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(schema: DatabaseSchema): DynamicModule {
    return {
      module: DatabaseModule,
      controllers: [DatabaseController],
      providers: [{ provide: DATABASE_SCHEMA, useValue: schema }, DatabaseService],
      exports: [DatabaseService],
    };
  }
}
