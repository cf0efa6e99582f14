import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { fire, LOAD_GENERATOR_WORKERS, LoadResult, REQUEST_TIMEOUT_SECONDS, summarize } from './load';

/** One request of a feed; `key` names it in the answers (e.g. the event id it carries). */
export interface FeedItem {
  key: string;
  body: string;
  headers?: Record<string, string>;
}

export interface FeedOptions {
  method: 'POST' | 'PUT';
  path: string;
  /** Sent with every item; an item's own headers win. */
  headers: Record<string, string>;
  items: FeedItem[];
  connections: number;
}

/** What the server answered to one item (body cut at 500 characters). */
export interface FeedAnswer {
  key: string;
  status: number;
  body: string;
}

export interface FeedResult extends LoadResult {
  answers: FeedAnswer[];
}

// bench/lib/request-feed.js: autocannon requires the hooks by path inside its worker thread.
const HOOKS_MODULE = resolve(__dirname, 'request-feed.js');
const ANSWERS_GRACE_MS = 5_000;

/**
 * Sends every item exactly once, in list order across all `connections` (autocannon, in its worker thread),
 * unlike `runLoad`, where each connection repeats the same request. The items are handed to the worker in a
 * temporary file; the answers come back on a BroadcastChannel, so the caller can check each one.
 */
export async function runFeed(baseUrl: string, options: FeedOptions, signal?: AbortSignal): Promise<FeedResult> {
  if (options.items.length < options.connections) throw new Error(`a feed needs at least one item per connection (${options.items.length} < ${options.connections})`);
  const directory = await mkdtemp(join(tmpdir(), 'bench-feed-'));
  const channel = new BroadcastChannel(`bench-feed-${randomUUID()}`);
  const answers: FeedAnswer[] = [];
  channel.onmessage = (message) => answers.push((message as { data: FeedAnswer }).data);
  try {
    const feedFile = join(directory, 'feed.json');
    await writeFile(feedFile, JSON.stringify(options.items));
    const request = { method: options.method, path: options.path, headers: options.headers, setupRequest: HOOKS_MODULE, onResponse: HOOKS_MODULE, feedFile, feedChannel: channel.name };
    const result = await fire(
      {
        url: `${baseUrl}${options.path}`,
        method: options.method,
        headers: options.headers,
        requests: [request],
        // `amount` is shared evenly between connections; each connection stops after its share.
        amount: options.items.length,
        connections: options.connections,
        timeout: REQUEST_TIMEOUT_SECONDS,
        workers: LOAD_GENERATOR_WORKERS,
      },
      signal,
    );
    const summary = summarize(result);
    await allAnswers(answers, result.requests.total);
    return { ...summary, warmupFailures: 0, answers };
  } finally {
    channel.close();
    await rm(directory, { recursive: true, force: true });
  }
}

/** The answers travel apart from autocannon's result: wait (briefly) until every completed one arrived. */
async function allAnswers(answers: FeedAnswer[], completed: number): Promise<void> {
  const deadline = Date.now() + ANSWERS_GRACE_MS;
  while (answers.length < completed && Date.now() < deadline) await sleep(20);
}
