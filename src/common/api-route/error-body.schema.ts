import { Type } from '@sinclair/typebox';

/** Name of the shared error schema in the OpenAPI document's components. */
export const ERROR_BODY_SCHEMA_NAME = 'ErrorBody';

/** The contract's error body, every error answer's (see AllExceptionsFilter). */
export const ErrorBodySchema = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599, examples: [400] }),
    error: Type.String({ description: 'the status text', examples: ['Bad Request'] }),
    message: Type.Union([Type.String(), Type.Array(Type.String())], {
      description: 'what is wrong: one message per problem for invalid input',
      examples: [['style must be one of the following values: casual, professional']],
    }),
    request_id: Type.String({ description: 'also sent as x-request-id' }),
    code: Type.Optional(Type.String({ description: 'a stable error code, when there is one' })),
  },
  { description: 'The error body of every 4xx and 5xx answer' },
);
