import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';

/** Route config flag read by the schema validation's onRoute hook (schema-validation.ts). */
export const VALIDATE_AFTER_GUARDS = 'validateAfterGuards';

/**
 * Fastify validates a route's schema before Nest's guards run. On a route marked with this, the
 * validation's outcome is only attached to the request (Fastify's `attachValidation`) and
 * raised here, after the guards: an admin call is authenticated (and audit-logged, and counted
 * against the bad-key limit) before its input is judged, as it was with Nest's pipes.
 */
export function ValidateAfterGuards(): MethodDecorator {
  return applyDecorators(
    (_target: object, _key: string | symbol, descriptor: PropertyDescriptor) => {
      const handler = descriptor.value as object;
      // Merged, so another route config on the same handler is kept.
      const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as object;
      Reflect.defineMetadata(
        FASTIFY_ROUTE_CONFIG_METADATA,
        { ...config, [VALIDATE_AFTER_GUARDS]: true },
        handler,
      );
    },
    UseInterceptors(AttachedValidationInterceptor),
  );
}

/** Raises the validation error Fastify attached to the request, once the guards have passed. */
@Injectable()
export class AttachedValidationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const error = context.switchToHttp().getRequest<FastifyRequest>().validationError;
    if (error) throw error;
    return next.handle();
  }
}
