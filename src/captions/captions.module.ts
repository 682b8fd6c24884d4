import { Module } from '@nestjs/common';
import { CaptionStatsService } from './caption-stats.service';
import { CaptionsController, StatsController } from './captions.controller';
import { CaptionsRepository } from './captions.repository';
import { CaptionsService } from './captions.service';

@Module({
  controllers: [CaptionsController, StatsController],
  providers: [CaptionsService, CaptionsRepository, CaptionStatsService],
  exports: [CaptionsService, CaptionStatsService],
})
export class CaptionsModule {}
