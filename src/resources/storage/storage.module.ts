import { Global, Module } from '@nestjs/common';
import { StorageController } from './storage.controller';
import { StorageService } from './storage.service';

/**
 * The file storage, global so any feature can inject StorageService. Needs the global AppConfig
 * and ResourceRegistry providers (AppConfigModule, RegistryModule); health, monitoring, metrics
 * and the self-test see it through the registry only.
 */
@Global()
@Module({
  controllers: [StorageController],
  providers: [StorageService],
  exports: [StorageService],
})
export class StorageModule {}
