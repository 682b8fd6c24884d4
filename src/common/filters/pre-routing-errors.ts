import { randomUUID } from 'node:crypto';
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import { Socket } from 'node:net';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SECURITY_HEADERS } from '../security/security-headers';
import { safeRequestId } from '../util/request-id';
import { ErrorBody, toErrorBody } from './all-exceptions.filter';

/** Node's parser errors that say how the request was malformed, by status. */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  // headersTimeout and requestTimeout both end in this one code.
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** Typed from Nest's adapter, which ships its own copy of Fastify's types. */
type FrameworkErrorHandler = NonNullable<
  Extract<
    ConstructorParameters<typeof FastifyAdapter>[0],
    { frameworkErrors?: unknown }
  >['frameworkErrors']
>;

/**
 * Fastify's `frameworkErrors`: errors found while routing, before any hook runs (a URL that does
 * not decode, FST_ERR_BAD_URL; a path parameter over maxParamLength, 414). Answered with the
 * contract's body and the request id, which the onRequest hook has not had the chance to set.
 */
export const answerFrameworkError: FrameworkErrorHandler = (error, request, reply) => {
  const { body } = toErrorBody(error, String(request.id));
  const json = JSON.stringify(body);
  // Written on the raw response, as Fastify does without this option: no hook has run, and the
  // generic reply type of this callback accepts no plain body.
  reply.raw
    .writeHead(body.statusCode, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'x-request-id': request.id,
      // No hook runs here, so the security headers' onRequest hook has not either.
      ...SECURITY_HEADERS,
    })
    .end(json);
};

/**
 * Fastify's `clientErrorHandler`, for what Node's HTTP parser refuses before Fastify sees a
 * request: headers over the size limit (431, or 414 when it is the request line that is too
 * long), a malformed request (400), a request not received in time (408). Node gives only the
 * socket, so the answer is written by hand, with the contract's body, an `x-request-id` (the
 * client's, when its header arrived whole and is safe), and `Connection: close`, since the
 * socket is closed after it: a client that reused it would otherwise meet ECONNRESET.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset or already-closed socket has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const raw = (error as { rawPacket?: Buffer }).rawPacket;
  const status = clientErrorStatus(error.code, raw);
  // As Node does: no answer on a socket that cannot take one, or mid-way through another.
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const requestId = requestIdIn(raw) ?? randomUUID();
  const body: ErrorBody = {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message: CLIENT_ERROR_MESSAGES[status] ?? 'malformed HTTP request',
    request_id: requestId,
  };
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${body.error}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      SECURITY_HEADER_LINES +
      `Connection: close\r\n\r\n${json}`,
  );
  // end() waits for the peer's FIN; a client that never sends one must not keep the socket.
  socket.once('finish', () => socket.destroy());
}

/** The security headers every answer carries, as raw header lines. */
const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

const CLIENT_ERROR_MESSAGES: Record<number, string> = {
  400: 'malformed HTTP request',
  408: 'the request was not received in time',
  414: 'the request URL is too long',
  431: 'the request headers are too large',
};

/**
 * The status for a parser error. Node counts the request line in its header limit, so an
 * overflow is 414 when the request line alone is over the limit (or no line break arrived in
 * the bytes the parser was given), 431 when the headers are.
 */
export function clientErrorStatus(
  code: string | undefined,
  raw: Buffer | undefined,
  limit = maxHeaderSize,
): number {
  const status = (code ? CLIENT_ERROR_STATUS[code] : undefined) ?? 400;
  if (status !== 431 || !raw) return status;
  const lineEnd = raw.indexOf('\n');
  return lineEnd === -1 || lineEnd >= limit ? 414 : 431;
}

/** The client's x-request-id from the bytes received, when present and safe to echo. */
export function requestIdIn(raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  const match = /\r?\nx-request-id:[ \t]*([^\r\n]*)\r?\n/i.exec(raw.toString('latin1'));
  return match ? safeRequestId(match[1].trim()) : undefined;
}
