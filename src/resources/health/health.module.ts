import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { ResourceHealthIndicator } from './resource.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController],
  providers: [ResourceHealthIndicator],
  exports: [ResourceHealthIndicator],
})
export class HealthModule {}
