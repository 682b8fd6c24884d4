import { Module } from '@nestjs/common';
import { CaptionsModule } from '../captions/captions.module';
import { BatchJobRunner } from './batch-job.runner';
import { BatchJobsRepository } from './batch-jobs.repository';
import { BatchJobsService } from './batch-jobs.service';
import { BatchController } from './batch.controller';
import { BatchService } from './batch.service';

@Module({
  imports: [CaptionsModule],
  controllers: [BatchController],
  providers: [BatchService, BatchJobsService, BatchJobsRepository, BatchJobRunner],
})
export class BatchModule {}
