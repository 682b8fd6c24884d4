import { Global, Module } from '@nestjs/common';
import { RedisController } from './redis.controller';
import { RedisService } from './redis.service';

/** The shared Redis pool and its subscriber connection. */
@Global()
@Module({ controllers: [RedisController], providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
