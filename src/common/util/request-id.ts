import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Http2ServerRequest } from 'node:http2';

/** A client's id is echoed only when it is short and plain, so it cannot inject into logs. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's genReqId: echo `x-request-id` when given and safe, else a UUID. It also stores the
 * id on the raw request, where pino-http picks it up, so logs and responses share one id.
 */
export function requestIdFor(req: IncomingMessage | Http2ServerRequest): string {
  const id = safeRequestId(req.headers['x-request-id']) ?? randomUUID();
  (req as { id?: string }).id = id;
  return id;
}

/** The given id when it is a short, plain string; undefined otherwise. */
export function safeRequestId(given: unknown): string | undefined {
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : undefined;
}
