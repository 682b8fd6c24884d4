import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-route/api-route.decorator';
import { CaptionStatsService } from './caption-stats.service';
import { CaptionPage, CaptionView } from './caption.types';
import { CaptionsService } from './captions.service';
import {
  CaptionPageSchema,
  CaptionSchema,
  CaptionStatsSchema,
  IdParamsSchema,
} from './schemas/caption.schema';
import { GenerateCaptionBody, GenerateCaptionBodySchema } from './schemas/generate-caption.schema';
import { ListCaptionsQuery, ListCaptionsQuerySchema } from './schemas/list-captions.schema';

@ApiTags('captions')
@Controller('captions')
export class CaptionsController {
  constructor(private readonly captions: CaptionsService) {}

  @Post('generate')
  @ApiRoute({
    summary: 'Write a caption; a repeat of the same request is served from the cache',
    description:
      'Writes a caption with the requested model (MODEL_FALLBACK when it fails with a server-side error) and stores it. The same request again, by its normalized fields, is answered from the cache (`cached: true`) while the entry is fresh.',
    body: GenerateCaptionBodySchema,
    responses: { 201: { description: 'the caption', schema: CaptionSchema } },
    errors: {
      404: 'unknown model',
      502: 'every model failed (upstream error)',
      503: 'a resource is closed or exhausted; see Retry-After',
    },
  })
  generate(@Body() body: GenerateCaptionBody): Promise<CaptionView> {
    return this.captions.generate(body);
  }

  @Get()
  @ApiRoute({
    summary: 'Stored captions, newest first (keyset pagination)',
    description:
      "One page of stored captions, newest first. Pass the answer's `next_cursor` as `cursor` for the next page; it is null on the last one.",
    query: ListCaptionsQuerySchema,
    responses: { 200: { description: 'one page of captions', schema: CaptionPageSchema } },
  })
  list(@Query() query: ListCaptionsQuery): Promise<CaptionPage> {
    return this.captions.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiRoute({
    summary: 'One stored caption',
    description: 'A stored caption by its id, as POST /captions/generate answered it.',
    params: IdParamsSchema,
    responses: { 200: { description: 'the caption', schema: CaptionSchema } },
    errors: { 404: 'unknown id' },
  })
  findOne(@Param('id') id: string): Promise<CaptionView> {
    return this.captions.findOne(id);
  }
}

@ApiTags('captions')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: CaptionStatsService) {}

  @Get()
  @ApiRoute({
    summary: 'Service counters: captions generated, cache hit rate, p50/p95 latency',
    description:
      'Counters of this instance since it started: captions generated, requests, cache hits and hit rate, fallbacks, failures, and the latency percentiles of generate (all, and cached answers only).',
    responses: { 200: { description: 'the counters', schema: CaptionStatsSchema } },
  })
  get(): Record<string, number> {
    return this.stats.snapshot();
  }
}
