import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/common/config/app-config';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('configuration', () => {
  it('has development defaults for everything the contract allows', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: null,
      redisUrl: 'redis://127.0.0.1:6379',
      publicBaseUrl: 'http://localhost:3000',
      asaasSandboxUrl: 'https://api-sandbox.asaas.com/v3',
      asaasProductionUrl: 'https://api.asaas.com/v3',
      mercadoPagoApiUrl: 'https://api.mercadopago.com',
      platformEventsUrl: null,
      conversationApiUrl: null,
      processRole: 'all',
    });
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });

  it.each([
    [{ NODE_ENV: 'production', CREDENTIALS_ENCRYPTION_KEY: KEY }, 'AUTH_JWT_SECRET is required in production'],
    [{ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32) }, 'CREDENTIALS_ENCRYPTION_KEY is required in production'],
    [{ CREDENTIALS_ENCRYPTION_KEY: 'c2hvcnQ=' }, 'CREDENTIALS_ENCRYPTION_KEY must be 32 bytes'],
    [{ PORT: 'eighty' }, 'PORT must be a port number'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must use postgres: or postgresql:'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL must be an absolute URL'],
    [{ PLATFORM_EVENTS_URL: 'https://platform.example/events' }, 'PLATFORM_EVENTS_SECRET is required when PLATFORM_EVENTS_URL is set'],
    [{ PROCESS_ROLE: 'both' }, 'PROCESS_ROLE must be one of api, worker, all'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET must be at least 16 characters'],
  ])('fails on %p naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts a rotation list of keys, the first one encrypting', () => {
    const config = loadConfig({ CREDENTIALS_ENCRYPTION_KEY: `new:${KEY},old:${Buffer.alloc(32, 1).toString('base64')}` });
    expect(config.credentialsEncryptionKeys.map((key) => key.id)).toEqual(['new', 'old']);
  });

  it('stops the process with one clear line when a required variable is missing', () => {
    const root = resolve(__dirname, '../../..');
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', CREDENTIALS_ENCRYPTION_KEY: KEY },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Configuration error: AUTH_JWT_SECRET is required in production');
  });
});
