import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import axios from 'axios';
import { validateConfig } from '../../../config/app-config';
import { httpPoolOptions } from '../../../config/resource-options';
import { ResourceRegistry } from '../../registry/resource-registry.service';
import { HttpPoolService } from '../http-pool.service';
import { axiosDefaults } from '../http-pool.transport';

// State transitions and retries log at info/debug; keep test output to real problems.
Logger.overrideLogger(['error']);

/** An HttpPoolService built by hand, as Nest would, from environment-style settings. */
export function createHttpPool(env: Record<string, string> = {}): {
  pool: HttpPoolService;
  registry: ResourceRegistry;
} {
  const options = httpPoolOptions(validateConfig({ NODE_ENV: 'test', ...env }));
  const registry = new ResourceRegistry();
  const http = new HttpService(axios.create(axiosDefaults(options)));
  return { pool: new HttpPoolService(http, options, registry), registry };
}
