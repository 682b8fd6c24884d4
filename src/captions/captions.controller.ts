import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CaptionStatsService } from './caption-stats.service';
import { CaptionPage, CaptionView } from './caption.types';
import { CaptionsService } from './captions.service';
import { GenerateCaptionDto } from './dto/generate-caption.dto';
import { ListCaptionsQuery } from './dto/list-captions.query';

const CAPTION_EXAMPLE = {
  id: '0b0d7c1e-5c3a-4c53-9d59-2d1f3c9b8a11',
  caption: 'Chasing the first light over the Dolomites. Every summit starts with one step. ✨',
  hashtags: ['#dolomites', '#sunrise', '#hiking', '#dogsofinstagram', '#mountains'],
  style: 'inspirational',
  model: 'caption-local',
  cached: false,
  fallback: false,
  processing_time_ms: 3.2,
  created_at: '2026-11-28T18:00:00.000Z',
};
const ERROR_EXAMPLE = {
  statusCode: 400,
  error: 'Bad Request',
  message: ['style must be one of ...'],
  request_id: '…',
};

@ApiTags('captions')
@Controller('captions')
export class CaptionsController {
  constructor(private readonly captions: CaptionsService) {}

  @Post('generate')
  @ApiOperation({
    summary: 'Write a caption; a repeat of the same request is served from the cache',
  })
  @ApiCreatedResponse({ schema: { example: CAPTION_EXAMPLE } })
  @ApiBadRequestResponse({ schema: { example: ERROR_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'unknown model' })
  @ApiBadGatewayResponse({ description: 'every model failed (upstream error)' })
  @ApiServiceUnavailableResponse({
    description: 'a resource is closed or exhausted; see Retry-After',
  })
  generate(@Body() dto: GenerateCaptionDto): Promise<CaptionView> {
    return this.captions.generate(dto);
  }

  @Get()
  @ApiOperation({ summary: 'Stored captions, newest first (keyset pagination)' })
  @ApiOkResponse({
    schema: { example: { items: [CAPTION_EXAMPLE], next_cursor: 'MjAyNi0xMS0yOF...' } },
  })
  @ApiBadRequestResponse({ schema: { example: ERROR_EXAMPLE } })
  list(@Query() query: ListCaptionsQuery): Promise<CaptionPage> {
    return this.captions.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One stored caption' })
  @ApiOkResponse({ schema: { example: CAPTION_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'unknown id' })
  findOne(@Param('id', new ParseUUIDPipe()) id: string): Promise<CaptionView> {
    return this.captions.findOne(id);
  }
}

@ApiTags('captions')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: CaptionStatsService) {}

  @Get()
  @ApiOperation({
    summary: 'Service counters: captions generated, cache hit rate, p50/p95 latency',
  })
  @ApiOkResponse({
    schema: {
      example: {
        captions_generated: 120,
        requests: 400,
        cache_hits: 280,
        cache_hit_rate: 0.7,
        p50_ms: 0.4,
        p95_ms: 6.1,
      },
    },
  })
  get(): Record<string, number> {
    return this.stats.snapshot();
  }
}
