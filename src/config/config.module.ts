import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';

/**
 * Provides the validated AppConfig (the injection token is the class itself) and the
 * @nestjs/config ConfigService over the same values. The config is validated once, before
 * Nest starts, so a bad variable stops start-up with one line (see main.ts).
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ ...config })], cache: true }),
      ],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig, ConfigModule],
    };
  }
}
