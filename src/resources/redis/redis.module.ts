import { Global, Module } from '@nestjs/common';
import { RedisController } from './redis.controller';
import { RedisModuleBase } from './redis.module-definition';
import { RedisService } from './redis.service';

/**
 * The shared Redis pool and its subscriber connection, configured with
 * `RedisModule.forRoot(options)` or `forRootAsync(...)` (RedisOptions).
 */
@Global()
@Module({ controllers: [RedisController], providers: [RedisService], exports: [RedisService] })
export class RedisModule extends RedisModuleBase {}
