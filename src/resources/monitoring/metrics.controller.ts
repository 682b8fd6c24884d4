import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Type } from '@sinclair/typebox';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { FastifyReply } from 'fastify';
import { MetricsService } from './metrics.service';

/** Prometheus scrape target, outside the /api/v14 prefix (see app.factory.ts). */
@ApiTags('monitoring')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiRoute({
    summary: 'Prometheus text format: process metrics and every figure of monitoring/stats',
    description:
      'The scrape target: counters and histograms of requests (by method, route template and status), resources, cache, models and the process, and an _info series with the version. Probes and scrapes are kept out of the request figures.',
    responses: {
      200: {
        description: 'the metrics, Prometheus text exposition format',
        schema: Type.String(),
        mediaType: 'text/plain',
      },
    },
  })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const body = await this.metrics.scrape();
    void reply.type(this.metrics.contentType);
    return body;
  }
}
