import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';

/**
 * Guards admin routes with ADMIN_API_KEY, given as `Authorization: Bearer <key>` or
 * `x-api-key: <key>`. Keys are compared in constant time (both sides hashed first so their
 * lengths match). Every admin call is audit-logged with who, what and the outcome — never the key.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly logger = new Logger('AdminAudit');
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    this.expected = config.ADMIN_API_KEY ? digest(config.ADMIN_API_KEY) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const action = `${request.method} ${request.url.split('?')[0]}`;
    const who = request.ip;
    if (!this.expected) {
      this.logger.warn({ who, action, outcome: 'refused: admin disabled' }, 'admin call');
      throw new ForbiddenException(
        'admin endpoints are disabled: set ADMIN_API_KEY (at least 16 characters) to enable them',
      );
    }
    const presented = presentedKey(request);
    if (!presented || !timingSafeEqual(digest(presented), this.expected)) {
      this.logger.warn({ who, action, outcome: 'refused: bad or missing key' }, 'admin call');
      throw new UnauthorizedException(
        'a valid admin key is required (Authorization: Bearer or x-api-key)',
      );
    }
    this.logger.log({ who, action, outcome: 'allowed' }, 'admin call');
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = request.headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return match?.[1];
}
