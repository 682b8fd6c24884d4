import { applyDecorators } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { TObject, TSchema } from '@sinclair/typebox';
import { STATUS_CODES } from 'node:http';
import { OPTIONAL_BODY } from '../validation/schema-validation';
import { forRouteValidation } from '../validation/validated-later';
import { ERROR_BODY_SCHEMA_NAME } from './error-body.schema';

/** A successful answer: its schema, or its schema with a description and media type. */
export interface SuccessAnswer {
  description: string;
  schema: TSchema;
  /** Default application/json; a text/plain answer is documented but not serialized by schema. */
  mediaType?: 'application/json' | 'text/plain';
}
export type SuccessSpec = TSchema | SuccessAnswer;

export interface ApiRouteOptions {
  summary: string;
  description: string;
  /** Validated by Fastify before the handler (unknown fields refused, defaults filled in). */
  body?: TSchema;
  /** false: a request without a body is accepted (the handler gets undefined). Default true. */
  bodyRequired?: boolean;
  /** Query string, validated with coercion (`?limit=5` is the integer 5). */
  query?: TObject;
  /** Path parameters, validated with coercion. */
  params?: TObject;
  /** 2xx answers by status; JSON ones are serialized from their schema (unlisted fields are dropped). */
  responses: Record<number, SuccessSpec>;
  /**
   * Error answers by status: a description (the body is the shared error body), or a
   * description and the schema of another body (documented only, never serialized by it).
   * 400 is added when there is input.
   */
  errors?: Record<number, string | SuccessAnswer>;
}

/**
 * One declaration per route for its input and output: the same JSON Schema objects become the
 * Fastify route schema (ajv validation compiled once; response serialization compiled once) and
 * the OpenAPI operation (summary, description, parameters, request body, responses).
 */
export function ApiRoute(options: ApiRouteOptions): MethodDecorator {
  return applyDecorators(
    RouteSchema(routeSchema(options)),
    ApiOperation({ summary: options.summary, description: options.description }),
    ...bodyDocs(options),
    ...propertyDocs(options.query, (name, schema, required) =>
      ApiQuery({ name, required, schema, description: schema.description }),
    ),
    ...propertyDocs(options.params, (name, schema) =>
      ApiParam({ name, required: true, schema, description: schema.description }),
    ),
    ...Object.entries(options.responses).map(([status, spec]) =>
      ApiResponse(successDocs(Number(status), spec)),
    ),
    ...Object.entries(errorsOf(options)).map(([status, spec]) =>
      ApiResponse(errorDocs(Number(status), spec)),
    ),
  );
}

/** The Fastify route schema: what is validated and what is serialized. */
function routeSchema(options: ApiRouteOptions) {
  const response: Record<number, TSchema> = {};
  for (const [status, spec] of Object.entries(options.responses)) {
    const { schema, mediaType } = normalized(Number(status), spec);
    if (mediaType === 'application/json') response[Number(status)] = schema;
  }
  const body = options.body && forRouteValidation(options.body);
  return {
    ...(body && {
      body: options.bodyRequired === false ? { ...body, [OPTIONAL_BODY]: true } : body,
    }),
    ...(options.query && { querystring: options.query }),
    ...(options.params && { params: options.params }),
    response,
  };
}

function bodyDocs(options: ApiRouteOptions): MethodDecorator[] {
  if (!options.body) return [];
  return [ApiBody({ schema: documented(options.body), required: options.bodyRequired !== false })];
}

/** One parameter decorator per property of a query or params object schema. */
function propertyDocs(
  object: TObject | undefined,
  decorate: (name: string, schema: SchemaObject, required: boolean) => MethodDecorator,
): MethodDecorator[] {
  if (!object) return [];
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties).map(([name, schema]) =>
    decorate(name, documented(schema), required.has(name)),
  );
}

function successDocs(status: number, spec: SuccessSpec) {
  const { description, schema, mediaType } = normalized(status, spec);
  return { status, description, content: { [mediaType]: { schema: documented(schema) } } };
}

/** Its description (the status text unless given), schema and media type. */
function normalized(status: number, spec: SuccessSpec): Required<SuccessAnswer> {
  // No JSON Schema has a `schema` keyword: a spec with one is a SuccessAnswer.
  if ('schema' in spec) return { mediaType: 'application/json', ...(spec as SuccessAnswer) };
  const description = spec.description ?? STATUS_CODES[status] ?? 'success';
  return { description, schema: spec, mediaType: 'application/json' };
}

function errorDocs(status: number, spec: string | SuccessAnswer) {
  if (typeof spec !== 'string') return successDocs(status, spec);
  const schema = { $ref: `#/components/schemas/${ERROR_BODY_SCHEMA_NAME}` };
  return { status, description: spec, content: { 'application/json': { schema } } };
}

function errorsOf(options: ApiRouteOptions): Record<number, string | SuccessAnswer> {
  const errors: Record<number, string | SuccessAnswer> = {};
  if (options.body || options.query || options.params)
    errors[400] = 'invalid input: the message lists every problem';
  return { ...errors, ...options.errors };
}

/**
 * A copy for the OpenAPI document: Swagger's explorer may change the objects it is given, and
 * TypeBox's symbol keys are left behind (structuredClone copies string keys only).
 */
export function documented(schema: TSchema): SchemaObject {
  return structuredClone(schema) as SchemaObject;
}
