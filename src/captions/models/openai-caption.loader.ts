import { UpstreamError } from '../../common/errors/app-errors';
import { redactUrl } from '../../common/util/redact-url';
import { HttpPoolResponse, HttpRequester } from '../../resources/http-pool/http-pool.types';
import { CaptionModel, CaptionRequest, CaptionResult, CaptionStyle } from './caption-model.types';
import { ModelLoadError } from '../../resources/model-pool/model-pool.errors';
import { ModelLoader, ModelSpec } from '../../resources/model-pool/model-pool.types';
import { normalizeCaptionRequest, styleFillerTags } from './caption-composer';
import { pickHashtags, truncate } from './caption-text';

/** Where the `openai` loader sends its requests. */
export interface OpenAiLoaderConfig {
  /** OPENAI_BASE_URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`. */
  baseUrl?: string;
  /** OPENAI_API_KEY, sent as `Authorization: Bearer`. Never logged, never in an error. */
  apiKey?: string;
  /** OPENAI_MODEL: the model id used unless a spec's `options.model` names another. */
  model: string;
  /** The shared HTTP pool (timeouts, retries and the circuit breaker live there). */
  requester?: HttpRequester;
}

/** Options a registry entry of type `openai` may set. */
interface OpenAiModelOptions {
  model: string;
  temperature: number;
  maxTokens: number;
  /** Deadline of one chat completion, ms; undefined uses HTTP_TIMEOUT. */
  timeoutMs?: number;
}

const SYSTEM_PROMPT =
  'You write Instagram captions. Answer with one JSON object and nothing else (no prose, no ' +
  'code fences): {"caption": string, "hashtags": string[]}. The caption itself contains no ' +
  'hashtags. Each hashtag is one word of letters, digits or underscores.';

/**
 * Loader type `openai`: captions from an OpenAI-compatible chat-completions endpoint (OpenAI,
 * vLLM, Ollama, llama.cpp server). "Loading" checks that the endpoint answers `GET /models`
 * and lists the model id, so a wrong URL, key or id fails at load time with a clear reason.
 * Spec options: `model` (id, default OPENAI_MODEL), `temperature` (0–2, default 0.7),
 * `max_tokens` (default 600), `timeout_ms` (per completion, default HTTP_TIMEOUT).
 */
export class OpenAiCaptionLoader implements ModelLoader<CaptionModel> {
  constructor(private readonly config: OpenAiLoaderConfig) {}

  unavailableReason(): string | undefined {
    if (!this.config.baseUrl) return 'set OPENAI_BASE_URL to enable it';
    if (!this.config.requester) return 'no HTTP requester is provided (MODEL_HTTP_REQUESTER)';
    return undefined;
  }

  async load(spec: ModelSpec, signal: AbortSignal): Promise<CaptionModel> {
    const reason = this.unavailableReason();
    if (reason) throw new ModelLoadError(spec.name, reason);
    const options = parseOptions(spec, this.config.model);
    const base = (this.config.baseUrl as string).replace(/\/+$/, '');
    const requester = this.config.requester as HttpRequester;
    const shown = redactUrl(base);
    const response = await requester.request<unknown>({
      method: 'GET',
      url: `${base}/models`,
      headers: headers(this.config.apiKey),
      timeoutMs: options.timeoutMs,
    });
    signal.throwIfAborted();
    if (response.status === 401 || response.status === 403) {
      throw new ModelLoadError(
        spec.name,
        `${shown}/models answered ${response.status}: check OPENAI_API_KEY`,
      );
    }
    if (response.status !== 200) {
      throw new ModelLoadError(spec.name, `${shown}/models answered ${response.status}`);
    }
    const ids = modelIds(response.data);
    if (!ids) {
      throw new ModelLoadError(
        spec.name,
        `${shown}/models is not an OpenAI-compatible model list; check OPENAI_BASE_URL (it usually ends in /v1)`,
      );
    }
    if (!ids.includes(options.model)) {
      const listed = ids.slice(0, 10).join(', ') + (ids.length > 10 ? ', ...' : '');
      throw new ModelLoadError(
        spec.name,
        `model id ${JSON.stringify(options.model)} is not served by ${shown} (it lists: ${listed || 'none'}); check OPENAI_MODEL`,
      );
    }
    return new OpenAiCaptionModel(spec.name, base, this.config.apiKey, requester, options);
  }
}

/** A verified endpoint + model id; each `generate` is one chat completion. */
export class OpenAiCaptionModel implements CaptionModel {
  /** Holds no weights: a connection config only. */
  readonly memoryMb = 1;
  private unloaded = false;

  constructor(
    private readonly name: string,
    private readonly base: string,
    private readonly apiKey: string | undefined,
    private readonly requester: HttpRequester,
    private readonly options: OpenAiModelOptions,
  ) {}

  async generate(input: CaptionRequest): Promise<CaptionResult> {
    if (this.unloaded) throw new UpstreamError(`model ${this.name} is unloaded`);
    const request = normalizeCaptionRequest(input);
    const response: HttpPoolResponse<unknown> = await this.requester.request<unknown>({
      method: 'POST',
      url: `${this.base}/chat/completions`,
      headers: headers(this.apiKey),
      data: {
        model: this.options.model,
        temperature: this.options.temperature,
        max_tokens: this.options.maxTokens,
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: userPrompt(request) },
        ],
      },
      // Asking again for a caption has no side effect upstream, so the pool may retry it.
      idempotent: true,
      timeoutMs: this.options.timeoutMs,
      // Checked inside the pool's breaker-guarded attempt: an endpoint that keeps answering
      // broken JSON or something else than a chat completion opens its host's circuit, so
      // captions fall back at once instead of each paying a round trip for nothing.
      responseType: 'json',
      validate: assertChatCompletion,
    });
    if (response.status >= 400) {
      const hint =
        response.status === 401 || response.status === 403
          ? ': check OPENAI_API_KEY'
          : response.status === 429
            ? ': rate limited'
            : '';
      throw new UpstreamError(`${this.name}: chat completion answered ${response.status}${hint}`);
    }
    // Checked again for requesters that do not run `validate`.
    const content = messageContent(response.data);
    if (content === undefined) {
      throw new UpstreamError(`${this.name}: chat completion answer has no message content`);
    }
    const parsed = parseCaptionContent(content);
    if (!parsed.caption && parsed.hashtags.length === 0) {
      throw new UpstreamError(`${this.name}: chat completion answered an empty caption`);
    }
    return {
      caption: truncate(parsed.caption, request.max_length),
      hashtags: pickHashtags(
        parsed.hashtags,
        styleFillerTags(request.style as CaptionStyle),
        request.hashtag_count,
      ),
    };
  }

  unload(): void {
    this.unloaded = true;
  }
}

function headers(apiKey: string | undefined): Record<string, string> {
  return {
    accept: 'application/json',
    'content-type': 'application/json',
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  };
}

function parseOptions(spec: ModelSpec, defaultModel: string): OpenAiModelOptions {
  const { model = defaultModel, temperature = 0.7, max_tokens = 600, timeout_ms } = spec.options;
  const bad = (what: string) => new ModelLoadError(spec.name, `options.${what}`);
  if (typeof model !== 'string' || model.length === 0 || model.length > 200) {
    throw bad('model must be a model id');
  }
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) {
    throw bad('temperature must be a number from 0 to 2');
  }
  if (!Number.isInteger(max_tokens) || (max_tokens as number) < 16) {
    throw bad('max_tokens must be an integer of at least 16');
  }
  if (timeout_ms !== undefined && (!Number.isInteger(timeout_ms) || (timeout_ms as number) < 1)) {
    throw bad('timeout_ms must be a positive integer');
  }
  return {
    model,
    temperature,
    maxTokens: max_tokens as number,
    timeoutMs: timeout_ms as number | undefined,
  };
}

function userPrompt(request: CaptionRequest): string {
  const tone = request.tone ? `, in a ${request.tone} tone` : '';
  return [
    `Write a ${request.style} Instagram caption${tone}, in the language with tag "${request.language}", for this content:`,
    `"""${request.content_description}"""`,
    `The caption must be at most ${request.max_length} characters.`,
    `Give exactly ${request.hashtag_count} relevant hashtags.`,
  ].join('\n');
}

/** The ids of an OpenAI `/models` answer (`{data: [{id}]}`), or undefined if it is not one. */
function modelIds(data: unknown): string[] | undefined {
  const body = asJson(data);
  const list = isObject(body) ? body.data : undefined;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((m) => (isObject(m) && typeof m.id === 'string' ? [m.id] : []));
}

/**
 * Throws unless a chat-completions answer has the message content captions are read from.
 * The message says what is missing, never what was there (the pool logs it).
 */
export function assertChatCompletion(data: unknown): void {
  if (messageContent(data) === undefined) {
    throw new Error('not a chat completion: no choices[0].message.content');
  }
}

/** `choices[0].message.content` (or the legacy `choices[0].text`) of a completion. */
function messageContent(data: unknown): string | undefined {
  const body = asJson(data);
  const choices = isObject(body) ? body.choices : undefined;
  const first: unknown = Array.isArray(choices) ? choices[0] : undefined;
  if (!isObject(first)) return undefined;
  const message = first.message;
  if (isObject(message) && typeof message.content === 'string') return message.content;
  return typeof first.text === 'string' ? first.text : undefined;
}

/**
 * Reads a model's answer: the JSON object asked for, possibly inside code fences or prose;
 * failing that, plain text whose `#tags` are taken out as the hashtags.
 */
export function parseCaptionContent(content: string): { caption: string; hashtags: string[] } {
  const unfenced = content.replace(/```(?:json)?/gi, '').trim();
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  if (start >= 0 && end > start) {
    const object = asJson(unfenced.slice(start, end + 1));
    if (isObject(object) && typeof object.caption === 'string') {
      const tags = Array.isArray(object.hashtags)
        ? object.hashtags.filter((t): t is string => typeof t === 'string')
        : typeof object.hashtags === 'string'
          ? object.hashtags.split(/[\s,]+/)
          : [];
      const fromText = splitHashtags(object.caption);
      return { caption: fromText.caption, hashtags: [...tags, ...fromText.hashtags] };
    }
  }
  // JSON cut short or malformed (a max_tokens limit, a chatty model): salvage the caption string.
  const caption = /"caption"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(unfenced);
  if (caption) {
    const text = asJson(`"${caption[1]}"`);
    if (typeof text === 'string') {
      const tags = [...unfenced.matchAll(/"#?([\p{L}\p{N}_]+)"/gu)]
        .map((m) => m[1])
        .filter((t) => t !== 'caption' && t !== 'hashtags' && t !== caption[1]);
      const fromText = splitHashtags(text);
      return { caption: fromText.caption, hashtags: [...tags, ...fromText.hashtags] };
    }
  }
  return splitHashtags(unfenced);
}

/** Moves a caption's trailing run of #tags out; inline `#word` keeps its word. */
function splitHashtags(text: string): { caption: string; hashtags: string[] } {
  const clean = cleanMultiline(text);
  const hashtags = [...clean.matchAll(/#([\p{L}\p{N}_]+)/gu)].map((m) => m[1]);
  const caption = clean
    .replace(/(?:\s*#[\p{L}\p{N}_]+)+\s*$/u, '')
    .replace(/#([\p{L}\p{N}_]+)/gu, '$1')
    .trim();
  return { caption, hashtags };
}

/** Well-formed, no control characters except line breaks, at most one blank line in a row. */
function cleanMultiline(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n]/gu, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function asJson(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
