import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/**
 * The service's icon: a speech bubble, as SVG. Browsers ask for /favicon.ico on every page
 * (the dashboard, Swagger UI, ReDoc); answering it keeps a 404 out of each page load and the
 * logs. Inline, so nothing is fetched from anywhere else.
 */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">' +
  '<rect x="1" y="2" width="14" height="10" rx="3" fill="#2563eb"/>' +
  '<path d="M4 12v3l3-3z" fill="#2563eb"/>' +
  '<path d="M4 6h8M4 9h5" stroke="#fff" stroke-width="1.4" stroke-linecap="round"/></svg>';

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
