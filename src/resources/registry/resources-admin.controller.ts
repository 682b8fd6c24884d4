import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import { ResourcesInitializedSchema, ResourcesShutdownSchema } from './registry.schema';
import { ResourcesLifecycleService } from './resources-lifecycle.service';

@ApiTags('resources')
@Controller('resources')
export class ResourcesAdminController {
  constructor(private readonly lifecycle: ResourcesLifecycleService) {}

  @Post('initialize')
  @HttpCode(200)
  @AdminOnly()
  @ApiRoute({
    summary: '(Re)open every resource; readiness returns to 200 once they answer',
    description:
      'Opens every registered resource in order of dependence (closed ones again after an admin shutdown) and ends the drain; `degraded` when one failed to open.',
    responses: {
      200: { description: 'each resource with its state', schema: ResourcesInitializedSchema },
    },
  })
  initialize(): Promise<Record<string, unknown>> {
    return this.lifecycle.initialize();
  }

  @Post('shutdown')
  @HttpCode(200)
  @AdminOnly()
  @ApiRoute({
    summary: 'Drain and close every resource; the HTTP server stays up and readiness answers 503',
    description:
      'Starts draining (readiness answers 503), waits up to SHUTDOWN_GRACE_MS for requests in flight, then closes every resource in reverse order of dependence. POST /resources/initialize opens them again.',
    responses: {
      200: { description: 'each resource with its state', schema: ResourcesShutdownSchema },
    },
  })
  shutdown(): Promise<Record<string, unknown>> {
    return this.lifecycle.shutdown();
  }
}
