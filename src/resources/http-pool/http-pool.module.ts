import { HttpModule } from '@nestjs/axios';
import { Global, Module } from '@nestjs/common';
import { HttpPoolController } from './http-pool.controller';
import { HTTP_POOL_OPTIONS, HttpPoolModuleBase } from './http-pool.module-definition';
import { HttpPoolOptions } from './http-pool.options';
import { HttpPoolService } from './http-pool.service';
import { axiosDefaults } from './http-pool.transport';

/**
 * The shared outbound HTTP pool, global so any feature can inject HttpPoolService. Configured
 * with `HttpPoolModule.forRoot(options)` or `forRootAsync(...)` (HttpPoolOptions); needs the
 * global ResourceRegistry provider (RegistryModule). The options token is exported so the
 * HttpModule's axios instance (a module of its own) can read them through this global module.
 * The keep-alive agents belong to HttpPoolService (created on init, destroyed on shutdown),
 * not to the axios instance, so an admin re-initialize gets fresh ones.
 */
@Global()
@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [HTTP_POOL_OPTIONS],
      useFactory: (options: HttpPoolOptions) => axiosDefaults(options),
    }),
  ],
  controllers: [HttpPoolController],
  providers: [HttpPoolService],
  exports: [HttpPoolService, HTTP_POOL_OPTIONS],
})
export class HttpPoolModule extends HttpPoolModuleBase {}
