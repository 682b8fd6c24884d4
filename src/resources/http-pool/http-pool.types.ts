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
  /**
   * `json`: a 2xx answer must be JSON; one that does not parse fails the attempt as a bad
   * answer, which counts against the host's circuit. Default (unset): a body that parses as
   * JSON is handed on parsed, any other as text, and nothing counts against the host.
   * Answers of other statuses are always handed on leniently.
   */
  responseType?: 'json';
  /**
   * Checks a 2xx answer's body (parsed when JSON) and throws when it is not what the caller
   * can use, e.g. not the expected shape. It runs inside the breaker-guarded attempt, so a
   * refused answer counts against the host's circuit and fails with UpstreamBadAnswerError
   * (502). The thrown error's message goes into that error and the log: it must not quote
   * the body.
   */
  validate?: (data: unknown) => void;
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
