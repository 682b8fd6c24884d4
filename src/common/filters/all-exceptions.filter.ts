import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-errors';
import { loggableUrl } from '../logging/loggable-url';

/** The contract's error body. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  request_id: string;
  code?: string;
}

/**
 * Turns anything thrown into the contract's error body with the request id: Nest HTTP
 * exceptions keep their status, typed AppErrors map to theirs (with Retry-After for 503s),
 * Fastify's own errors (bad JSON, body too large, wrong content type) keep their 4xx, and
 * anything else is a 500 whose details go to the log only, never to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { body, retryAfterS } = toErrorBody(exception, String(request.id));
    hideQueryOfUnmatchedRoute(body, request);
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, request_id: body.request_id, ...loggableUrl(request.url) },
        body.code ?? 'unhandled error',
      );
    }
    if (retryAfterS) void reply.header('retry-after', String(retryAfterS));
    void reply.status(body.statusCode).send(body);
  }
}

/**
 * Nest answers an unmatched route with "Cannot GET /path?query": the query string would be
 * echoed back, values included (a token in a mistyped URL, or a reflected payload). The path
 * alone says what was not found.
 */
function hideQueryOfUnmatchedRoute(body: ErrorBody, request: FastifyRequest): void {
  if (body.statusCode !== 404 || body.message !== `Cannot ${request.method} ${request.url}`) return;
  body.message = `Cannot ${request.method} ${request.url.split('?')[0]}`;
}

/** Builds the error body; shared with the Fastify error handler for errors outside Nest. */
export function toErrorBody(
  exception: unknown,
  requestId: string,
): { body: ErrorBody; retryAfterS?: number } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: string | string[] }).message
        : exception.message;
    return { body: { statusCode: status, error: reason(status), message, request_id: requestId } };
  }
  if (exception instanceof AppError) {
    return {
      body: {
        statusCode: exception.status,
        error: reason(exception.status),
        message: exception.message,
        code: exception.code,
        request_id: requestId,
      },
      retryAfterS: exception.retryAfterS,
    };
  }
  const fastifyStatus = (exception as { statusCode?: number })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return {
      body: {
        statusCode: fastifyStatus,
        error: reason(fastifyStatus),
        message: (exception as Error).message,
        code: (exception as { code?: string }).code,
        request_id: requestId,
      },
    };
  }
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return {
    body: {
      statusCode: status,
      error: reason(status),
      message: 'internal error',
      request_id: requestId,
    },
  };
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
