import Redis from 'ioredis';

/**
 * Bull's queue.add waits forever when Redis is down, so start-up checks Redis first and says how to fix it.
 * Returns null when Redis answers, else the message to print.
 */
export async function checkRedis(redisUrl: string, timeoutMs = 3000): Promise<string | null> {
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, disconnectTimeout: 50 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `Redis is unreachable at ${redactUrl(redisUrl)} (${reason}). Start one with "docker compose up -d redis" or the distribution's "redis-server --daemonize yes", or set REDIS_URL.`;
  } finally {
    client.disconnect();
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
