import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './dashboard.page';

/**
 * GET /dashboard (outside the /api/v14 prefix): a live page of pools, cache, models and system
 * over time. An HTML page for people, so it is left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DASHBOARD_CSP)
  @Header('cache-control', 'no-store')
  page(): string {
    return DASHBOARD_HTML;
  }
}
