import { Global, Module } from '@nestjs/common';
import { StorageController } from './storage.controller';
import { StorageModuleBase } from './storage.module-definition';
import { StorageService } from './storage.service';

/**
 * The file storage, global so any feature can inject StorageService. Configured with
 * `StorageModule.forRoot(options)` or `forRootAsync(...)` (StorageOptions); needs the global
 * ResourceRegistry provider (RegistryModule). Health, monitoring, metrics and the self-test see
 * it through the registry only.
 */
@Global()
@Module({
  controllers: [StorageController],
  providers: [StorageService],
  exports: [StorageService],
})
export class StorageModule extends StorageModuleBase {}
