import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import {
  cacheOptions,
  databaseOptions,
  httpPoolOptions,
  modelPoolOptions,
  redisOptions,
  storageOptions,
} from './config/resource-options';
import { LifecycleModule } from './common/lifecycle/lifecycle.module';
import { Logger as PinoRootLogger } from 'pino';
import { loggingOptions } from './common/logging/logging.options';
import { DocsModule } from './docs/docs.module';
import { DatabaseModule } from './resources/database/database.module';
import { databaseSchema } from './database.schema';
import { HealthModule } from './resources/health/health.module';
import { MonitoringModule } from './resources/monitoring/monitoring.module';
import { RedisModule } from './resources/redis/redis.module';
import { RegistryModule } from './resources/registry/registry.module';
import { HttpPoolModule } from './resources/http-pool/http-pool.module';
import { AppCacheModule } from './resources/cache/cache.module';
import { ModelPoolModule } from './resources/model-pool/model-pool.module';
import { StorageModule } from './resources/storage/storage.module';
import { CaptionsModule } from './captions/captions.module';
import { BatchModule } from './batch/batch.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';

/** The whole service, built from one validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, rootLogger: PinoRootLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggingOptions(rootLogger)),
        ScheduleModule.forRoot(),
        LifecycleModule,
        RegistryModule,
        DatabaseModule.forRootAsync({
          schema: databaseSchema,
          inject: [AppConfig],
          useFactory: databaseOptions,
        }),
        RedisModule.forRootAsync({ inject: [AppConfig], useFactory: redisOptions }),
        HttpPoolModule.forRootAsync({ inject: [AppConfig], useFactory: httpPoolOptions }),
        AppCacheModule.forRootAsync({ inject: [AppConfig], useFactory: cacheOptions }),
        ModelPoolModule.forRootAsync({ inject: [AppConfig], useFactory: modelPoolOptions }),
        StorageModule.forRootAsync({ inject: [AppConfig], useFactory: storageOptions }),
        HealthModule,
        MonitoringModule,
        CaptionsModule,
        BatchModule,
        RateLimitModule,
        DocsModule,
      ],
    };
  }
}
