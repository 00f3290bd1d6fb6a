/**
 * A real HTTP server on 127.0.0.1 speaking the chat-completions protocol, for driving the real
 * `openai` SDK in tests (no mocks). Each request is recorded; a test scripts the replies and can
 * wait for the moment a request arrives (to abort it mid-flight without sleeping).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Resolves when the response closes: for a hung request, when the client disconnects (e.g. it aborted). */
  clientGone: Promise<void>;
}

export type Reply =
  | { status?: number; headers?: Record<string, string>; json?: unknown; text?: string }
  /** Never answer: the request hangs until the client goes away. */
  | 'hang';

export type Handler = (request: ReceivedRequest, index: number) => Reply;

export interface ChatServer {
  /** `http://127.0.0.1:<port>/v1`, as an SDK `baseURL`. */
  baseURL: string;
  requests: ReceivedRequest[];
  /** Resolves with the next request to arrive (or one that already arrived and was not yet taken). */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export async function startChatServer(handler: Handler): Promise<ChatServer> {
  const requests: ReceivedRequest[] = [];
  let taken = 0;
  const waiting: Array<(request: ReceivedRequest) => void> = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // A request without a JSON body is recorded with an empty one.
      }
      const clientGone = new Promise<void>((resolve) => res.on('close', () => resolve()));
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, clientGone };
      const index = requests.push(request) - 1;
      const reply = handler(request, index);
      if (reply !== 'hang') send(res, reply);
      const waiter = waiting.shift();
      if (waiter) {
        taken++;
        waiter(request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    nextRequest: () => {
      if (taken < requests.length) return Promise.resolve(requests[taken++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(res: ServerResponse, reply: Exclude<Reply, 'hang'>): void {
  const body = reply.text ?? JSON.stringify(reply.json ?? {});
  res.writeHead(reply.status ?? 200, { 'content-type': reply.text !== undefined ? 'text/plain' : 'application/json', ...reply.headers });
  res.end(body);
}

/** A chat-completions response whose message content is `content`. */
export function completion(
  content: string | null,
  options: { usage?: { prompt_tokens: number; completion_tokens: number } | null; finishReason?: string; refusal?: string; model?: string } = {},
): unknown {
  const usage = options.usage === undefined ? { prompt_tokens: 11, completion_tokens: 7 } : options.usage;
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: options.model ?? 'test-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: options.refusal ?? null },
        finish_reason: options.finishReason ?? 'stop',
        logprobs: null,
      },
    ],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
  };
}

/** An OpenAI-style error body. */
export function apiError(message: string, extra: { type?: string; code?: string } = {}): unknown {
  return { error: { message, type: extra.type ?? 'invalid_request_error', code: extra.code ?? null, param: null } };
}
