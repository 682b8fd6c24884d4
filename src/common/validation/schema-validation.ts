import { BadRequestException } from '@nestjs/common';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { compileBodySchema, compileTextSchema } from './request-ajv';
import { VALIDATE_AFTER_GUARDS } from './validate-after-guards';
import { validationMessages } from './validation-messages';

/** Marks a route's body schema as optional: no body at all is accepted (see ApiRoute). */
export const OPTIONAL_BODY = Symbol('optionalBody');

/** What Fastify's validator compiler may return: a boolean with `.errors`, or `{ error }`. */
type RouteValidator = (data: unknown) => boolean | { error: ErrorObject[] };

/**
 * Request validation from the routes' schemas (see ApiRoute), compiled once per route by ajv:
 * bodies without type coercion, query strings and path parameters with it. A request that fails
 * gets a 400 through the app's error path (AllExceptionsFilter: the contract's body, the request
 * id) with one message per problem, worded as the clients have always read them.
 */
export function installSchemaValidation(fastify: FastifyInstance): void {
  fastify.setValidatorCompiler(({ schema, httpPart }) => routeValidator(schema, httpPart));
  fastify.setSchemaErrorFormatter(
    (errors, dataVar) =>
      new BadRequestException(validationMessages(errors as ErrorObject[], dataVar)),
  );
  fastify.addHook('onRoute', (route) => {
    const config = route.config as Record<string, unknown> | undefined;
    if (config?.[VALIDATE_AFTER_GUARDS]) route.attachValidation = true;
  });
}

function routeValidator(schema: object, httpPart: string | undefined): RouteValidator {
  if (httpPart !== 'body') return compileTextSchema(schema);
  const validate = compileBodySchema(schema);
  if (!(schema as Record<symbol, unknown>)[OPTIONAL_BODY]) return validate;
  // Fastify hands a missing body to the validator as null.
  return (data) => data === null || data === undefined || valid(validate, data);
}

function valid(validate: ValidateFunction, data: unknown): true | { error: ErrorObject[] } {
  return validate(data) ? true : { error: validate.errors ?? [] };
}
