import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { StorageStatusSchema } from './storage.schema';
import type { StorageStatus } from './storage.observation';
import { StorageService } from './storage.service';

@ApiTags('resources')
@Controller('resources/storage')
export class StorageController {
  constructor(private readonly storage: StorageService) {}

  @Get('status')
  @ApiRoute({
    summary: 'File storage: folder, files, bytes used against the quota (STORAGE_QUOTA_MB)',
    description:
      'The file storage folder: files, bytes used against STORAGE_QUOTA_MB, and the last error.',
    responses: { 200: { description: 'the file storage', schema: StorageStatusSchema } },
  })
  status(): StorageStatus {
    return this.storage.stats();
  }
}
