import { AttemptFailure } from './http-pool.errors';
import type { HttpPoolRequest } from './http-pool.types';

/** What the request's answer checks need to know about it. */
type AnswerExpectation = Pick<HttpPoolRequest, 'method' | 'responseType' | 'validate'>;

/**
 * The axios `responseType` for a request: raw text when the pool must tell JSON from not-JSON
 * itself. axios' default parsing hands back the text silently when JSON.parse fails, and its
 * strict mode throws even for a 5xx error page, which would hide the status.
 */
export function axiosResponseType(request: AnswerExpectation): 'text' | undefined {
  return request.responseType === 'json' ? 'text' : undefined;
}

/**
 * The body handed to the caller, or the bad answer it stands for, thrown as an AttemptFailure
 * inside the breaker-guarded attempt so the host's circuit counts it. Only a 2xx answer is
 * held to `responseType: 'json'` and `validate`: other statuses already say what went wrong
 * and reach the caller (or the retry logic) as they are.
 */
export function acceptAnswer(
  request: AnswerExpectation,
  label: string,
  status: number,
  data: unknown,
): unknown {
  const success = status >= 200 && status < 300;
  let body = data;
  if (request.responseType === 'json' && typeof data === 'string') {
    const parsed = parseJson(data);
    if (parsed.ok) body = parsed.value;
    else if (success && !isBodiless(request, status)) {
      throw new AttemptFailure(
        'bad_answer',
        `${label}: answered ${status} with a body that is not JSON`,
        status,
      );
    }
  }
  if (success && request.validate) {
    try {
      request.validate(body);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AttemptFailure('bad_answer', `${label}: unexpected answer (${reason})`, status);
    }
  }
  return body;
}

/** An answer that has no body by definition (RFC 9110 §9.3.2, §15.3.5). */
function isBodiless(request: AnswerExpectation, status: number): boolean {
  return request.method === 'HEAD' || status === 204;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
