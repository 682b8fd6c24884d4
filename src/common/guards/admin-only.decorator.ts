import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiSecurity, ApiUnauthorizedResponse, ApiForbiddenResponse } from '@nestjs/swagger';
import { ERROR_BODY_SCHEMA_NAME } from '../api-route/error-body.schema';
import { ValidateAfterGuards } from '../validation/validate-after-guards';
import { AdminKeyGuard } from './admin-key.guard';

const ERROR_BODY = { $ref: `#/components/schemas/${ERROR_BODY_SCHEMA_NAME}` };

/**
 * Marks a route as admin: ADMIN_API_KEY required, documented in Swagger. The key is checked
 * (and the call audit-logged) before the route's schema judges the input.
 */
export function AdminOnly(): MethodDecorator {
  return applyDecorators(
    UseGuards(AdminKeyGuard),
    ValidateAfterGuards(),
    ApiSecurity('admin-key'),
    ApiUnauthorizedResponse({ description: 'missing or wrong admin key', schema: ERROR_BODY }),
    ApiForbiddenResponse({
      description: 'admin endpoints disabled: ADMIN_API_KEY not set',
      schema: ERROR_BODY,
    }),
  );
}
