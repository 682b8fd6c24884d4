import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { StorageStatus } from './storage.observation';
import { StorageService } from './storage.service';

@ApiTags('resources')
@Controller('resources/storage')
export class StorageController {
  constructor(private readonly storage: StorageService) {}

  @Get('status')
  @ApiOperation({
    summary: 'File storage: folder, files, bytes used against the quota (STORAGE_QUOTA_MB)',
  })
  @ApiOkResponse({
    schema: {
      example: {
        name: 'storage',
        type: 'file_storage',
        state: 'ready',
        path: '/app/data/storage',
        files: 12,
        used_bytes: 48213,
        quota_bytes: 1073741824,
        usage_percent: 0,
        last_error: null,
      },
    },
  })
  status(): StorageStatus {
    return this.storage.stats();
  }
}
