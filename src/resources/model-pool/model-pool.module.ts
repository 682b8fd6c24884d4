import { Global, Module } from '@nestjs/common';
import { HttpPoolService } from '../http-pool/http-pool.service';
import { ModelPoolController } from './model-pool.controller';
import { MODEL_HTTP_REQUESTER } from './model-pool.constants';
import { ModelPoolService } from './model-pool.service';

/**
 * The model pool, global so the caption service (and any module adding a loader type) can
 * inject ModelPoolService. Needs the global AppConfig, ResourceRegistry and HttpPoolService
 * providers (AppConfigModule, RegistryModule, HttpPoolModule); the openai-compatible model
 * sends its requests through the shared HTTP pool via the MODEL_HTTP_REQUESTER token.
 */
@Global()
@Module({
  controllers: [ModelPoolController],
  providers: [ModelPoolService, { provide: MODEL_HTTP_REQUESTER, useExisting: HttpPoolService }],
  exports: [ModelPoolService],
})
export class ModelPoolModule {}
