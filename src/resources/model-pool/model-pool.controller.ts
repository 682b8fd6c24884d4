import { Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import { MODEL_NAME_PATTERN } from './model-pool.constants';
import { ModelPoolService } from './model-pool.service';
import { ModelPoolStatus, ModelStatus } from './model-pool.types';

const NAME_PARAM = {
  name: 'name',
  description: `registered model name, ${MODEL_NAME_PATTERN.source}`,
  example: 'caption-local',
};

const MODEL_EXAMPLE = {
  name: 'caption-local',
  state: 'loaded',
  memory_mb: 14.2,
  loaded_at: '2025-01-01T12:00:00.000Z',
  last_access: '2025-01-01T12:05:00.000Z',
  access_count: 120,
  load_time_ms: 130,
  in_use: false,
  leases: 0,
  loader: 'wink',
  description: 'Offline captions: wink-nlp English model + caption composer',
  estimated_mb: 14.2,
  measured: true,
  preload: true,
  available: true,
  unavailable_reason: null,
  inferences: 120,
  avg_inference_ms: 0.4,
  errors: 0,
  last_error: null,
  retry_at: null,
};

@ApiTags('resources')
@Controller('resources/models')
export class ModelPoolController {
  constructor(private readonly models: ModelPoolService) {}

  @Get('status')
  @ApiOperation({
    summary:
      'Model pool: every registered model with its state and usage, memory, loads, evictions',
  })
  @ApiOkResponse({
    schema: {
      example: {
        models: [MODEL_EXAMPLE],
        available: ['caption-local', 'openai-compatible'],
        cache_size: 5,
        memory_limit_mb: 2048,
        memory_used_mb: 14.2,
        loads: 1,
        load_failures: 0,
        evictions: 0,
        evictions_by_reason: { count: 0, memory: 0, idle: 0, manual: 0 },
        loads_in_progress: 0,
        max_concurrent_loads: 2,
      },
    },
  })
  status(): ModelPoolStatus {
    return this.models.status();
  }

  @Post(':name/load')
  @AdminOnly()
  @HttpCode(201)
  @ApiOperation({ summary: 'Load a model now (201 loaded, 200 already loaded)' })
  @ApiParam(NAME_PARAM)
  @ApiCreatedResponse({
    description: 'loaded',
    schema: { example: { name: 'caption-local', status: 'loaded', model: MODEL_EXAMPLE } },
  })
  @ApiOkResponse({ description: 'already loaded' })
  @ApiBadRequestResponse({ description: 'not a plain model name' })
  @ApiNotFoundResponse({ description: 'unknown model, or not available in this deployment' })
  @ApiResponse({ status: 507, description: 'does not fit under MODEL_MEMORY_LIMIT_MB' })
  @ApiResponse({ status: 503, description: 'load failed or timed out, or load queue full' })
  async load(
    @Param('name') name: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ name: string; status: string; model: ModelStatus }> {
    const outcome = await this.models.load(name);
    if (outcome === 'already_loaded') void reply.status(200);
    return { name, status: outcome, model: this.models.modelStatus(name) };
  }

  @Delete(':name')
  @AdminOnly()
  @ApiOperation({ summary: 'Unload a model once its in-flight uses finish' })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ schema: { example: { name: 'caption-local', status: 'unloaded' } } })
  @ApiBadRequestResponse({ description: 'not a plain model name' })
  @ApiNotFoundResponse({ description: 'unknown model, or not loaded' })
  @ApiResponse({ status: 503, description: 'uses did not finish in time (it unloads after)' })
  async unload(@Param('name') name: string): Promise<{ name: string; status: string }> {
    await this.models.unload(name);
    return { name, status: 'unloaded' };
  }
}
