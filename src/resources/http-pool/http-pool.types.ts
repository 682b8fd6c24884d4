/** What a caller of the shared HTTP pool asks for. */
export interface HttpPoolRequest {
  method: 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute http(s) URL. */
  url: string;
  headers?: Record<string, string>;
  /** JSON-serializable body. */
  data?: unknown;
  /** Total deadline including retries, ms. Default HTTP_TIMEOUT. */
  timeoutMs?: number;
  /**
   * Whether a retry is safe. Default: true for GET/HEAD/OPTIONS/PUT/DELETE, false otherwise.
   * A POST to an endpoint that is safe to repeat (e.g. a chat completion) may set it.
   */
  idempotent?: boolean;
  /** Retries for this call. Default HTTP_RETRIES. */
  retries?: number;
}

/** An answer from the upstream. Statuses below 500 (other than 429 after retries) resolve. */
export interface HttpPoolResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

/** The part of the HTTP pool other modules depend on (handy to fake in unit tests). */
export interface HttpRequester {
  request<T = unknown>(request: HttpPoolRequest): Promise<HttpPoolResponse<T>>;
}
