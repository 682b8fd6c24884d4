import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BatchJobsService, JobStatus } from './batch-jobs.service';
import { BatchService } from './batch.service';
import { BatchGenerateDto, BatchJobDto, JobResultsQuery } from './dto/batch.dto';

@ApiTags('batch')
@Controller('batch')
export class BatchController {
  constructor(
    private readonly batch: BatchService,
    private readonly jobs: BatchJobsService,
  ) {}

  @Post('generate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Up to 100 caption requests at once; a bad item fails alone, with its index',
  })
  @ApiOkResponse({
    schema: {
      example: {
        results: [
          {
            index: 0,
            ok: true,
            id: '…',
            caption: '…',
            hashtags: ['#coffee'],
            model: 'caption-local',
            cached: false,
            fallback: false,
          },
          {
            index: 1,
            ok: false,
            error: { statusCode: 400, message: ['style must be one of the following values: ...'] },
          },
        ],
        succeeded: 1,
        failed: 1,
      },
    },
  })
  @ApiBadRequestResponse({ description: 'requests missing, empty or over 100 items' })
  generate(@Body() dto: BatchGenerateDto) {
    return this.batch.generate(dto.requests);
  }

  @Post('jobs')
  @HttpCode(202)
  @ApiOperation({ summary: 'Up to 10,000 requests worked in the background; survives restarts' })
  @ApiAcceptedResponse({ schema: { example: { job_id: '6c1f…' } } })
  @ApiBadRequestResponse({ description: 'requests missing, empty or over 10,000 items' })
  createJob(@Body() dto: BatchJobDto): Promise<{ job_id: string }> {
    return this.jobs.create(dto.requests);
  }

  @Get('jobs/:id')
  @ApiOperation({ summary: 'Progress of a background job' })
  @ApiOkResponse({
    schema: {
      example: {
        job_id: '6c1f…',
        state: 'running',
        total: 1000,
        done: 420,
        failed: 1,
        progress_percent: 42.1,
        results_url: '/api/v14/batch/jobs/6c1f…/results',
      },
    },
  })
  @ApiNotFoundResponse({ description: 'unknown job' })
  status(@Param('id', new ParseUUIDPipe()) id: string): Promise<JobStatus> {
    return this.jobs.status(id);
  }

  @Get('jobs/:id/results')
  @ApiOperation({ summary: 'Results of a background job, by index, paginated' })
  @ApiNotFoundResponse({ description: 'unknown job' })
  results(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: JobResultsQuery) {
    return this.jobs.results(id, query.limit, query.cursor);
  }
}
