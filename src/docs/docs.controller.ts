import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { loadRedocBundle } from './redoc-bundle';

/** ReDoc's bundle ships in the `redoc` npm package: served locally, nothing is fetched at run time. */
const REDOC_BUNDLE = loadRedocBundle();

const REDOC_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Captions API v14 — ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>`;

@ApiExcludeController()
@Controller('redoc')
export class DocsController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return REDOC_PAGE;
  }

  @Get('redoc.standalone.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  bundle(): string {
    return REDOC_BUNDLE;
  }
}
