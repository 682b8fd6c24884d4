import { HttpModule } from '@nestjs/axios';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { HttpPoolController } from './http-pool.controller';
import { HttpPoolService } from './http-pool.service';
import { axiosDefaults } from './http-pool.transport';

/**
 * The shared outbound HTTP pool, global so any feature can inject HttpPoolService.
 * Needs the global AppConfig and ResourceRegistry providers (AppConfigModule, RegistryModule).
 * The keep-alive agents belong to HttpPoolService (created on init, destroyed on shutdown),
 * not to the axios instance, so an admin re-initialize gets fresh ones.
 */
@Global()
@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => axiosDefaults(config),
    }),
  ],
  controllers: [HttpPoolController],
  providers: [HttpPoolService],
  exports: [HttpPoolService],
})
export class HttpPoolModule {}
