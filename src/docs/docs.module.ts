import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller';
import { FaviconController } from './favicon.controller';

@Module({ controllers: [DocsController, FaviconController] })
export class DocsModule {}
