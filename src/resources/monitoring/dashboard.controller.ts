import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DASHBOARD_HTML } from './dashboard.page';

/**
 * GET /dashboard (outside the /api/v14 prefix): a live page of pools, cache, models and system
 * over time. An HTML page for people, so it is left out of the OpenAPI document. Its
 * Content-Security-Policy, with the nonce of its inline script, is set by the security headers.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return DASHBOARD_HTML;
  }
}
