import { LoggerService } from '@nestjs/common';

/**
 * Nest's own start-up lines (one per module, controller and route, ~60 of them) are debug
 * detail: at the default level the start-up shows only the service's own block.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** The app's logger with Nest's start-up chatter moved from `log` to `debug`. */
export function quietFramework(inner: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) => {
      const context = rest[rest.length - 1];
      if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
        inner.debug?.(message, ...rest);
      } else {
        inner.log(message, ...rest);
      }
    },
    error: (message: unknown, ...rest: unknown[]) => inner.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => inner.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => inner.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => inner.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => inner.fatal?.(message, ...rest),
  };
}
