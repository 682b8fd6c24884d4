import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

type Handler = (request: RecordedRequest, response: ServerResponse) => void;

/**
 * A tiny OpenAI-compatible server on 127.0.0.1:<random port>: `GET /v1/models` and
 * `POST /v1/chat/completions`, each replaceable per test, recording every request.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  modelIds = ['tiny-model', 'other-model'];
  /** What the assistant answers (message content). */
  content = '{"caption": "Sunset walks with my best friend", "hashtags": ["#sunset", "#dog"]}';
  onModels?: Handler;
  onChat?: Handler;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // keep the raw text
    }
    const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    this.requests.push(recorded);
    if (req.method === 'GET' && req.url === '/v1/models') {
      if (this.onModels) return this.onModels(recorded, res);
      return json(res, 200, {
        object: 'list',
        data: this.modelIds.map((id) => ({ id, object: 'model', owned_by: 'test' })),
      });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      if (this.onChat) return this.onChat(recorded, res);
      return json(res, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: this.content },
            finish_reason: 'stop',
          },
        ],
      });
    }
    json(res, 404, { error: { message: 'not found' } });
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
