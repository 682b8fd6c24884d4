import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { RateLimitService } from '../rate-limit/rate-limit.service';

/**
 * Guards admin routes with ADMIN_API_KEY, given as `Authorization: Bearer <key>` or
 * `x-api-key: <key>`. Keys are compared in constant time (both sides hashed first so their
 * lengths match). Every admin call is audit-logged with who, what and the outcome — never the key.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly logger = new Logger('AdminAudit');
  private readonly expected?: Buffer;

  constructor(
    config: AppConfig,
    // Optional so unit tests can build the guard alone; the app always provides it.
    @Optional() private readonly rateLimits?: RateLimitService,
  ) {
    this.expected = config.ADMIN_API_KEY ? digest(config.ADMIN_API_KEY) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Admin answers (cache values, refusals included) must not be kept by a browser or proxy.
    void reply.header('cache-control', 'no-store');
    const action = `${request.method} ${request.url.split('?')[0]}`;
    const who = request.ip;
    if (!this.expected) {
      this.logger.warn({ who, action, outcome: 'refused: admin disabled' }, 'admin call');
      throw new ForbiddenException(
        'admin endpoints are disabled: set ADMIN_API_KEY (at least 16 characters) to enable them',
      );
    }
    // Checked before the key, and for the right key too: see RateLimitService.
    if (await this.rateLimits?.adminLockedOut(request, reply)) {
      this.logger.warn({ who, action, outcome: 'refused: too many failed keys' }, 'admin call');
      throw new HttpException(
        'too many failed admin authentications from this client; retry after Retry-After seconds',
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const presented = presentedKey(request);
    if (!presented || !timingSafeEqual(digest(presented), this.expected)) {
      this.logger.warn({ who, action, outcome: 'refused: bad or missing key' }, 'admin call');
      await this.rateLimits?.adminAuthenticationFailed(request);
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
