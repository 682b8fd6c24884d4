import {
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { validateConfig } from '../../config/app-config';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { AdminKeyGuard } from './admin-key.guard';

const KEY = 'the-admin-key-0123456789';

/** The slice of RateLimitService the guard uses, as a fake that records its calls. */
function fakeRateLimits(lockedOut = false) {
  return {
    adminLockedOut: jest.fn(async () => lockedOut),
    adminAuthenticationFailed: jest.fn(async () => undefined),
  };
}

/** An admin call with these headers, and the reply headers the guard set. */
function adminCall(headers: Record<string, string>) {
  const sent: Record<string, string> = {};
  const request = {
    method: 'POST',
    url: '/api/v14/resources/cache/clear?x=1',
    ip: '203.0.113.7',
    headers,
  } as unknown as FastifyRequest;
  const reply = {
    header: (name: string, value: string) => {
      sent[name] = value;
      return reply;
    },
  } as unknown as FastifyReply;
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  return { context, request, reply, sent };
}

function guardWith(env: Record<string, string>, rateLimits = fakeRateLimits()) {
  return new AdminKeyGuard(validateConfig(env), rateLimits as unknown as RateLimitService);
}

describe('AdminKeyGuard', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['x-api-key', { 'x-api-key': KEY }],
    ['Authorization: Bearer', { authorization: `Bearer ${KEY}` }],
    ['a lower-case bearer scheme', { authorization: `bearer ${KEY}` }],
    ['several spaces after Bearer', { authorization: `Bearer   ${KEY}` }],
  ])('lets the right key through given as %s', async (_form, headers) => {
    const rateLimits = fakeRateLimits();
    const call = adminCall(headers);
    await expect(
      guardWith({ ADMIN_API_KEY: KEY }, rateLimits).canActivate(call.context),
    ).resolves.toBe(true);
    expect(rateLimits.adminAuthenticationFailed).not.toHaveBeenCalled();
    expect(call.sent['cache-control']).toBe('no-store');
  });

  it.each([
    ['no key at all', {}],
    ['an empty x-api-key', { 'x-api-key': '' }],
    ['a wrong key', { 'x-api-key': 'the-admin-key-0123456780' }],
    ['a prefix of the key', { 'x-api-key': KEY.slice(0, -1) }],
    ['the key with more after it', { 'x-api-key': `${KEY}0` }],
    ['a much longer key', { 'x-api-key': KEY.repeat(50) }],
    ['one character', { 'x-api-key': 'x' }],
    ['the key in another case', { 'x-api-key': KEY.toUpperCase() }],
    ['the key without the Bearer scheme', { authorization: KEY }],
    ['the key under the Basic scheme', { authorization: `Basic ${KEY}` }],
    ['Bearer with nothing after it', { authorization: 'Bearer ' }],
  ])('answers 401 for %s, and counts the failure', async (_what, headers) => {
    const rateLimits = fakeRateLimits();
    const call = adminCall(headers);
    const error = await guardWith({ ADMIN_API_KEY: KEY }, rateLimits)
      .canActivate(call.context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect((error as HttpException).getStatus()).toBe(HttpStatus.UNAUTHORIZED);
    expect(rateLimits.adminAuthenticationFailed).toHaveBeenCalledTimes(1);
    expect(rateLimits.adminAuthenticationFailed).toHaveBeenCalledWith(call.request);
    expect(call.sent['cache-control']).toBe('no-store');
  });

  it('prefers x-api-key over Authorization when both are sent', async () => {
    const guard = guardWith({ ADMIN_API_KEY: KEY });
    await expect(
      guard.canActivate(adminCall({ 'x-api-key': KEY, authorization: 'Bearer wrong' }).context),
    ).resolves.toBe(true);
    await expect(
      guard.canActivate(
        adminCall({ 'x-api-key': 'wrong', authorization: `Bearer ${KEY}` }).context,
      ),
    ).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('answers 403 to every call, the would-be key included, when ADMIN_API_KEY is not set', async () => {
    const rateLimits = fakeRateLimits();
    const guard = guardWith({}, rateLimits);
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-api-key': KEY },
      { authorization: `Bearer ${KEY}` },
    ];
    for (const headers of attempts) {
      const call = adminCall(headers);
      const error = await guard.canActivate(call.context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForbiddenException);
      expect((error as HttpException).getStatus()).toBe(HttpStatus.FORBIDDEN);
      expect(call.sent['cache-control']).toBe('no-store');
    }
    expect(rateLimits.adminLockedOut).not.toHaveBeenCalled();
    expect(rateLimits.adminAuthenticationFailed).not.toHaveBeenCalled();
  });

  it('answers 429 to a locked-out client even with the right key, without counting another failure', async () => {
    const rateLimits = fakeRateLimits(true);
    const call = adminCall({ 'x-api-key': KEY });
    const error = await guardWith({ ADMIN_API_KEY: KEY }, rateLimits)
      .canActivate(call.context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpException);
    expect((error as HttpException).getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect(rateLimits.adminLockedOut).toHaveBeenCalledWith(call.request, call.reply);
    expect(rateLimits.adminAuthenticationFailed).not.toHaveBeenCalled();
  });

  it('works without a rate-limit service: a wrong key is still 401, the right one passes', async () => {
    const guard = new AdminKeyGuard(validateConfig({ ADMIN_API_KEY: KEY }));
    await expect(
      guard.canActivate(adminCall({ 'x-api-key': 'wrong-key-0123456789' }).context),
    ).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(guard.canActivate(adminCall({ 'x-api-key': KEY }).context)).resolves.toBe(true);
  });
});
