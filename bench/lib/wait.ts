import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `read()` stops changing (same value for `quietPolls` polls in a row), or `timeoutMs` passed.
 * autocannon drops its connections at the end of a run while the server may still be working on them; this
 * lets those requests (and the gateway calls they make) finish before the next measurement counts anything.
 */
export async function waitUntilStable(read: () => number, { pollMs = 200, quietPolls = 3, timeoutMs = 15_000 } = {}): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let quiet = 0;
  while (quiet < quietPolls && Date.now() < deadline) {
    await sleep(pollMs);
    const current = read();
    quiet = current === last ? quiet + 1 : 0;
    last = current;
  }
  return last;
}
