import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from '@sinclair/typebox';
import { ApiRoute } from '../api-route/api-route.decorator';
import { Matching, Nullable, StringEnum, TrimmedString } from '../api-route/schema-types';
import { AllExceptionsFilter } from '../filters/all-exceptions.filter';
import { compileBodySchema } from './request-ajv';
import { installSchemaValidation } from './schema-validation';
import { ValidatedLater, forRouteValidation } from './validated-later';
import { validationMessages } from './validation-messages';

const Body_ = Type.Object(
  {
    name: TrimmedString({ minLength: 1, maxLength: 5 }),
    kind: StringEnum(['a', 'b']),
    count: Type.Optional(Type.Integer({ minimum: 0, maximum: 3, default: 1 })),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2 }))),
    code: Type.Optional(Matching(/^[a-z]+$/, 'must be lower-case letters')),
  },
  { additionalProperties: false },
);

/** The messages a body gets, through the same ajv and wording as the routes. */
function messages(body: unknown): string[] | 'valid' {
  const validate = compileBodySchema(Body_);
  return validate(body) ? 'valid' : validationMessages(validate.errors ?? []);
}

describe('request schemas (ajv) and their messages', () => {
  it('fills defaults and trims, in place', () => {
    const body = { name: '  ab  ', kind: 'a' };
    expect(messages(body)).toBe('valid');
    expect(body).toEqual({ name: 'ab', kind: 'a', count: 1 });
  });

  it('checks lengths on the trimmed text', () => {
    expect(messages({ name: '   ', kind: 'a' })).toEqual([
      'name must be longer than or equal to 1 characters',
    ]);
    expect(messages({ name: '  abcde  ', kind: 'a' })).toBe('valid');
  });

  it('lists every problem in class-validator wording, one message per problem', () => {
    expect(
      messages({ name: 'abcdef', kind: 'c', count: 4, note: 'xyz', code: 'A1', foo: 1 }),
    ).toEqual(
      expect.arrayContaining([
        'name must be shorter than or equal to 5 characters',
        'kind must be one of the following values: a, b',
        'count must not be greater than 3',
        'note must be shorter than or equal to 2 characters',
        'code must be lower-case letters',
        'property foo should not exist',
      ]),
    );
  });

  it('does not coerce body types, and says what a field must be', () => {
    expect(messages({ name: 'a', kind: 5, count: '2' })).toEqual([
      'kind must be one of the following values: a, b',
      'count must be an integer number',
    ]);
    expect(messages({ kind: 'a' })).toEqual(['name must be a string']);
    expect(messages({ name: 'a', kind: 'a', count: null })).toEqual([
      'count must be an integer number',
    ]);
    expect(messages({ name: 'a', kind: 'a', note: null })).toBe('valid');
  });

  it('names the whole input when it is not an object', () => {
    const validate = compileBodySchema(Body_);
    validate([]);
    expect(validationMessages(validate.errors ?? [], 'querystring')).toEqual([
      'querystring must be an object',
    ]);
  });

  it('leaves a ValidatedLater part unchecked by the route, and documented', () => {
    const schema = Type.Object({ items: Type.Array(ValidatedLater(Body_), { maxItems: 2 }) });
    const route = forRouteValidation(schema);
    expect(route.properties.items).toMatchObject({ type: 'array', maxItems: 2, items: {} });
    expect(Object.keys(route.properties.items.items)).toEqual([]);
    expect(schema.properties.items.items).toMatchObject({ additionalProperties: false });
  });
});

@Controller('probe')
class ProbeController {
  @Post()
  @ApiRoute({
    summary: 'probe',
    description: 'probe',
    body: Body_,
    responses: { 201: Type.Object({ name: Type.String(), count: Type.Integer() }) },
  })
  create(@Body() body: { name: string; count: number }) {
    return { ...body, secret: 'dropped by the response schema' };
  }

  @Get()
  @ApiRoute({
    summary: 'probe',
    description: 'probe',
    query: Type.Object(
      { limit: Type.Optional(Type.Integer({ minimum: 1, default: 10 })) },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Object({ limit: Type.Integer(), type: Type.String() }) },
  })
  list(@Query() query: { limit: number }) {
    return { limit: query.limit, type: typeof query.limit };
  }
}

describe('installSchemaValidation with ApiRoute (Fastify)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      { module: class ProbeModule {}, controllers: [ProbeController] },
      new FastifyAdapter(),
      { logger: false },
    );
    app.useGlobalFilters(new AllExceptionsFilter());
    installSchemaValidation(app.getHttpAdapter().getInstance());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('answers invalid input with the contract body listing every problem', async () => {
    const res = await app.inject({ method: 'POST', url: '/probe', payload: { kind: 'z', x: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.arrayContaining([
        'name must be a string',
        'kind must be one of the following values: a, b',
        'property x should not exist',
      ]),
      request_id: expect.any(String),
    });
  });

  it('hands the handler the validated body and serializes only the declared fields', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/probe',
      payload: { name: ' n ', kind: 'a' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'n', count: 1 });
  });

  it('coerces query strings and refuses unknown query fields', async () => {
    expect((await app.inject({ method: 'GET', url: '/probe?limit=5' })).json()).toEqual({
      limit: 5,
      type: 'number',
    });
    expect((await app.inject({ method: 'GET', url: '/probe' })).json()).toMatchObject({
      limit: 10,
    });
    const res = await app.inject({ method: 'GET', url: '/probe?limit=0&valueOf=1' });
    expect(res.statusCode).toBe(400);
    expect([...res.json().message].sort()).toEqual([
      'limit must not be less than 1',
      'property valueOf should not exist',
    ]);
  });
});
