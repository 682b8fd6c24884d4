import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-route/api-route.decorator';
import { IdParamsSchema } from '../captions/schemas/caption.schema';
import { BatchJobsService, JobStatus } from './batch-jobs.service';
import { BatchService } from './batch.service';
import {
  BatchGenerateBody,
  BatchGenerateBodySchema,
  BatchJobBody,
  BatchJobBodySchema,
  BatchResultSchema,
  JobCreatedSchema,
  JobResultsQuery,
  JobResultsQuerySchema,
  JobResultsSchema,
  JobStatusSchema,
} from './schemas/batch.schema';

@ApiTags('batch')
@Controller('batch')
export class BatchController {
  constructor(
    private readonly batch: BatchService,
    private readonly jobs: BatchJobsService,
  ) {}

  @Post('generate')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Up to 100 caption requests at once; a bad item fails alone, with its index',
    description:
      'Each request is validated and generated on its own (a few at a time): the answer lists one result per request, in order, either the caption (`ok: true`) or its error (`ok: false`, with the status and messages it would have had alone).',
    body: BatchGenerateBodySchema,
    responses: { 200: { description: 'one result per request', schema: BatchResultSchema } },
  })
  generate(@Body() body: BatchGenerateBody) {
    return this.batch.generate(body.requests);
  }

  @Post('jobs')
  @HttpCode(202)
  @ApiRoute({
    summary: 'Up to 10,000 requests worked in the background; survives restarts',
    description:
      'Stores the requests in PostgreSQL and answers at once; workers generate them in the background, across restarts. Invalid items are recorded as failed with their error. Follow progress at GET /batch/jobs/{id}.',
    body: BatchJobBodySchema,
    responses: { 202: { description: 'the job was created', schema: JobCreatedSchema } },
  })
  createJob(@Body() body: BatchJobBody): Promise<{ job_id: string }> {
    return this.jobs.create(body.requests);
  }

  @Get('jobs/:id')
  @ApiRoute({
    summary: 'Progress of a background job',
    description: 'Items done and failed so far, and where the results are.',
    params: IdParamsSchema,
    responses: { 200: { description: 'the job', schema: JobStatusSchema } },
    errors: { 404: 'unknown job' },
  })
  status(@Param('id') id: string): Promise<JobStatus> {
    return this.jobs.status(id);
  }

  @Get('jobs/:id/results')
  @ApiRoute({
    summary: 'Results of a background job, by index, paginated',
    description:
      'Items in index order with their state; done ones with their caption, failed ones with their error. Pass `next_cursor` as `cursor` for the next page.',
    params: IdParamsSchema,
    query: JobResultsQuerySchema,
    responses: { 200: { description: 'one page of items', schema: JobResultsSchema } },
    errors: { 404: 'unknown job' },
  })
  results(@Param('id') id: string, @Query() query: JobResultsQuery) {
    return this.jobs.results(id, query.limit, query.cursor);
  }
}
