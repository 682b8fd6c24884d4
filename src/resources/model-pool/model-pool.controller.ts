import { Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import {
  ModelLoadedSchema,
  ModelNameParamsSchema,
  ModelPoolStatusSchema,
  ModelUnloadedSchema,
} from './model-pool.schema';
import { ModelPoolService } from './model-pool.service';
import { ModelPoolStatus, ModelStatus } from './model-pool.types';

@ApiTags('resources')
@Controller('resources/models')
export class ModelPoolController {
  constructor(private readonly models: ModelPoolService) {}

  @Get('status')
  @ApiRoute({
    summary:
      'Model pool: every registered model with its state and usage, memory, loads, evictions',
    description:
      "Every registered model (state, memory, uses, load time, errors), the pool's memory against MODEL_MEMORY_LIMIT_MB, loads and evictions by reason, and the worker threads models run in.",
    responses: { 200: { description: 'the pool', schema: ModelPoolStatusSchema } },
  })
  status(): ModelPoolStatus {
    return this.models.status();
  }

  @Post(':name/load')
  @AdminOnly()
  @HttpCode(201)
  @ApiRoute({
    summary: 'Load a model now (201 loaded, 200 already loaded)',
    description:
      'Loads a registered model, evicting others (least recently used first) when it would not fit under MODEL_CACHE_SIZE or MODEL_MEMORY_LIMIT_MB.',
    params: ModelNameParamsSchema,
    responses: {
      201: { description: 'loaded', schema: ModelLoadedSchema },
      200: { description: 'already loaded', schema: ModelLoadedSchema },
    },
    errors: {
      400: 'not a plain model name',
      404: 'unknown model, or not available in this deployment',
      503: 'load failed or timed out, or load queue full',
      507: 'does not fit under MODEL_MEMORY_LIMIT_MB',
    },
  })
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
  @ApiRoute({
    summary: 'Unload a model once its in-flight uses finish',
    description:
      'Unloads a loaded model after the uses in flight finish; new uses wait for a reload.',
    params: ModelNameParamsSchema,
    responses: { 200: { description: 'unloaded', schema: ModelUnloadedSchema } },
    errors: {
      400: 'not a plain model name',
      404: 'unknown model, or not loaded',
      503: 'uses did not finish in time (it unloads after)',
    },
  })
  async unload(@Param('name') name: string): Promise<{ name: string; status: string }> {
    await this.models.unload(name);
    return { name, status: 'unloaded' };
  }
}
