export interface HttpReply {
  status: number;
  body: unknown;
  durationMs: number;
}

export interface HttpRequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpClient = (method: string, path: string, options?: HttpRequestOptions) => Promise<HttpReply>;

/** One request with a JSON body, for set-up steps and hand-timed sequential calls (not for load). */
export function httpClientFor(baseUrl: string): HttpClient {
  return async (method, path, options = {}) => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: headersFor(options),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: parseJson(text), durationMs: performance.now() - started };
  };
}

function headersFor(options: HttpRequestOptions): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Throws with the reply in the message unless the status is the expected one. */
export function expectStatus(reply: HttpReply, expected: number, what: string): void {
  if (reply.status !== expected) {
    throw new Error(`${what}: expected ${expected}, got ${reply.status} ${JSON.stringify(reply.body)}`);
  }
}
