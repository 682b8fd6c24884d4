import { Global, Module } from '@nestjs/common';
import { ModelPoolController } from './model-pool.controller';
import { ModelPoolService } from './model-pool.service';

/**
 * The model pool, global so any feature can inject ModelPoolService to register its loader
 * types and default models and to lease models. Needs the global AppConfig and
 * ResourceRegistry providers (AppConfigModule, RegistryModule).
 */
@Global()
@Module({
  controllers: [ModelPoolController],
  providers: [ModelPoolService],
  exports: [ModelPoolService],
})
export class ModelPoolModule {}
