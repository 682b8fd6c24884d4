import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FAVICON_SVG } from '../common/assets/favicon';

/**
 * Browsers ask for /favicon.ico on every page (the dashboard, Swagger UI, ReDoc); answering it
 * keeps a 404 out of each page load and the logs.
 */
@ApiExcludeController()
@Controller()
export class FaviconController {
  @Get(['favicon.ico', 'favicon.svg'])
  @Header('content-type', 'image/svg+xml')
  @Header('cache-control', 'public, max-age=86400')
  icon(): string {
    return FAVICON_SVG;
  }
}
