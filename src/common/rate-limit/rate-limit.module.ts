import { Global, Module } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service';

/** Global, so the admin guard can count failed authentications wherever it is used. */
@Global()
@Module({
  providers: [RateLimitService],
  exports: [RateLimitService],
})
export class RateLimitModule {}
