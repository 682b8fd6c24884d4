import { Global, Module } from '@nestjs/common';
import { ModelPoolController } from './model-pool.controller';
import { ModelPoolModuleBase } from './model-pool.module-definition';
import { ModelPoolService } from './model-pool.service';

/**
 * The model pool, global so any feature can inject ModelPoolService to register its loader
 * types and default models and to lease models. Configured with `ModelPoolModule.forRoot(options)`
 * or `forRootAsync(...)` (ModelPoolModuleOptions); needs the global ResourceRegistry provider
 * (RegistryModule).
 */
@Global()
@Module({
  controllers: [ModelPoolController],
  providers: [ModelPoolService],
  exports: [ModelPoolService],
})
export class ModelPoolModule extends ModelPoolModuleBase {}
