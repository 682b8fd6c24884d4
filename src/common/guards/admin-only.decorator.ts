import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiSecurity, ApiUnauthorizedResponse, ApiForbiddenResponse } from '@nestjs/swagger';
import { AdminKeyGuard } from './admin-key.guard';

/** Marks a route as admin: ADMIN_API_KEY required, documented in Swagger. */
export function AdminOnly(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(AdminKeyGuard),
    ApiSecurity('admin-key'),
    ApiUnauthorizedResponse({ description: 'missing or wrong admin key' }),
    ApiForbiddenResponse({ description: 'admin endpoints disabled: ADMIN_API_KEY not set' }),
  );
}
