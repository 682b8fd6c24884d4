import { Module } from '@nestjs/common';
import { HttpPoolService } from '../resources/http-pool/http-pool.service';
import { CaptionStatsService } from './caption-stats.service';
import { CaptionWriter } from './caption-writer';
import { CaptionsController, StatsController } from './captions.controller';
import { CaptionsRepository } from './captions.repository';
import { CaptionsService } from './captions.service';
import { CaptionModelsRegistrar } from './models/caption-models.registrar';
import { MODEL_HTTP_REQUESTER } from './models/caption-models.constants';

/**
 * Captions: the API, storage, cache use, and the caption models, which it plugs into the
 * global model pool (CaptionModelsRegistrar). The openai-compatible model sends its requests
 * through the shared HTTP pool (global HttpPoolModule) via the MODEL_HTTP_REQUESTER token.
 */
@Module({
  controllers: [CaptionsController, StatsController],
  providers: [
    CaptionsService,
    CaptionsRepository,
    CaptionStatsService,
    CaptionWriter,
    CaptionModelsRegistrar,
    { provide: MODEL_HTTP_REQUESTER, useExisting: HttpPoolService },
  ],
  exports: [CaptionsService, CaptionStatsService, CaptionWriter],
})
export class CaptionsModule {}
