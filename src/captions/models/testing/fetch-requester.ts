import { AppError, UpstreamError, UpstreamTimeoutError } from '../../../common/errors/app-errors';
import {
  HttpPoolRequest,
  HttpPoolResponse,
  HttpRequester,
} from '../../../resources/http-pool/http-pool.types';

/**
 * A minimal real HttpRequester on fetch, for tests against a loopback server: the same
 * error contract as the HTTP pool (5xx → UpstreamError, deadline → UpstreamTimeoutError,
 * network failure → UpstreamError, other statuses resolve), without retries or a breaker.
 */
export class FetchRequester implements HttpRequester {
  readonly requests: HttpPoolRequest[] = [];

  async request<T = unknown>(request: HttpPoolRequest): Promise<HttpPoolResponse<T>> {
    this.requests.push(request);
    const label = `${request.method} ${new URL(request.url).pathname}`;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.data === undefined ? undefined : JSON.stringify(request.data),
        signal: AbortSignal.timeout(request.timeoutMs ?? 5000),
      });
      const text = await response.text();
      let data: unknown = text;
      try {
        data = JSON.parse(text);
      } catch {
        // not JSON: hand the text on, as the pool does
      }
      if (response.status >= 500) throw new UpstreamError(`${label} answered ${response.status}`);
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers.entries()),
        data: data as T,
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if ((error as Error).name === 'TimeoutError') {
        throw new UpstreamTimeoutError(`${label} timed out`, { cause: error });
      }
      throw new UpstreamError(`${label} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}
