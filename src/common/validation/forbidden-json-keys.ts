import { BadRequestException } from '@nestjs/common';
import { unknownPropertyMessages } from './unknown-properties';

/** Fastify's JSON parser, generic in the request so either copy of Fastify's types fits. */
type JsonParser<Request> = (
  request: Request,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * Wraps Fastify's secure JSON parser (which refuses `__proto__` and `constructor.prototype`
 * keys) so that such a body is answered like any other unknown field — 400 naming the key —
 * instead of "Body is not valid JSON", which sends the client looking for a syntax error.
 * Only the error path re-reads the body; a valid body costs nothing extra.
 */
export function namingForbiddenKeys<Request>(parse: JsonParser<Request>): JsonParser<Request> {
  return (request, body, done) =>
    parse(request, body, (error, value) => {
      const key = error ? forbiddenKeyIn(body) : undefined;
      if (!key) return done(error, value);
      done(new BadRequestException(unknownPropertyMessages([key])), undefined);
    });
}

/** The first prototype-poisoning key of a body that is valid JSON, if any. */
export function forbiddenKeyIn(body: string): string | undefined {
  let found: string | undefined;
  try {
    JSON.parse(body, function (this: Record<string, unknown>, key, value: unknown) {
      if (found) return value;
      if (key === '__proto__') found = '__proto__';
      else if (
        key === 'constructor' &&
        typeof value === 'object' &&
        value !== null &&
        Object.prototype.hasOwnProperty.call(value, 'prototype')
      )
        found = 'constructor';
      return value;
    });
  } catch {
    return undefined;
  }
  return found;
}
