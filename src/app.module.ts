import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { LifecycleModule } from './common/lifecycle/lifecycle.module';
import { loggingOptions } from './common/logging/logging.options';
import { DocsModule } from './docs/docs.module';
import { DatabaseModule } from './resources/database/database.module';
import { databaseSchema } from './database.schema';
import { HealthModule } from './resources/health/health.module';
import { RedisModule } from './resources/redis/redis.module';
import { RegistryModule } from './resources/registry/registry.module';

/** The whole service, built from one validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggingOptions(config)),
        ScheduleModule.forRoot(),
        LifecycleModule,
        RegistryModule,
        DatabaseModule.forRoot(databaseSchema),
        RedisModule,
        HealthModule,
        DocsModule,
      ],
    };
  }
}
