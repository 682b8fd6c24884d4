import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import { ResourcesLifecycleService } from './resources-lifecycle.service';

@ApiTags('resources')
@Controller('resources')
export class ResourcesAdminController {
  constructor(private readonly lifecycle: ResourcesLifecycleService) {}

  @Post('initialize')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: '(Re)open every resource; readiness returns to 200 once they answer' })
  @ApiOkResponse({
    schema: {
      example: { status: 'initialized', resources: { database: 'ready', redis: 'ready' } },
    },
  })
  initialize(): Promise<Record<string, unknown>> {
    return this.lifecycle.initialize();
  }

  @Post('shutdown')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({
    summary: 'Drain and close every resource; the HTTP server stays up and readiness answers 503',
  })
  @ApiOkResponse({
    schema: { example: { status: 'shutdown', drained: true, resources: { database: 'closed' } } },
  })
  shutdown(): Promise<Record<string, unknown>> {
    return this.lifecycle.shutdown();
  }
}
