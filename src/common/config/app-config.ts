import { randomBytes } from 'node:crypto';

export type ProcessRole = 'api' | 'worker' | 'all';

export interface AppConfig {
  nodeEnv: string;
  isProduction: boolean;
  port: number;
  databaseUrl: string | null;
  redisUrl: string;
  queuePrefix: string;
  authJwtSecret: string;
  credentialsEncryptionKeys: EncryptionKey[];
  publicBaseUrl: string;
  asaasSandboxUrl: string;
  asaasProductionUrl: string;
  mercadoPagoApiUrl: string;
  platformEventsUrl: string | null;
  platformEventsSecret: string | null;
  outboundRetryBaseMs: number;
  outboundGiveUpHours: number;
  conversationApiUrl: string | null;
  conversationApiToken: string | null;
  processRole: ProcessRole;
  logLevel: LogLevel;
  /** Open charges not updated for this long are polled at the gateway (missed webhooks). */
  reconcileAfterMinutes: number;
  embeddedPostgresPort: number;
  embeddedPostgresDir: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** Raised at start-up; main.ts prints its message as one line and exits. */
export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Configuration error: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
// A fixed development key so that credentials stored by `npm start` survive restarts; production must set its own.
const DEVELOPMENT_ENCRYPTION_KEY = Buffer.from('ZGV2ZWxvcG1lbnQtb25seS1rZXktMzItYnl0ZXMhISE=', 'base64');

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const isProduction = nodeEnv === 'production';
  const port = readPort(env, 'PORT', 3000);
  return {
    nodeEnv,
    isProduction,
    port,
    databaseUrl: readUrl(env, 'DATABASE_URL', null, ['postgres:', 'postgresql:']),
    redisUrl: readUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:'])!,
    queuePrefix: readString(env, 'QUEUE_PREFIX', 'payments'),
    authJwtSecret: readSecret(env, 'AUTH_JWT_SECRET', isProduction, DEVELOPMENT_JWT_SECRET),
    credentialsEncryptionKeys: readEncryptionKeys(env, isProduction),
    publicBaseUrl: stripTrailingSlash(readUrl(env, 'PUBLIC_BASE_URL', `http://localhost:${port}`)!),
    asaasSandboxUrl: stripTrailingSlash(readUrl(env, 'ASAAS_SANDBOX_URL', 'https://api-sandbox.asaas.com/v3')!),
    asaasProductionUrl: stripTrailingSlash(readUrl(env, 'ASAAS_PRODUCTION_URL', 'https://api.asaas.com/v3')!),
    mercadoPagoApiUrl: stripTrailingSlash(readUrl(env, 'MERCADOPAGO_API_URL', 'https://api.mercadopago.com')!),
    platformEventsUrl: readUrl(env, 'PLATFORM_EVENTS_URL', null),
    platformEventsSecret: readPairedSecret(env, 'PLATFORM_EVENTS_SECRET', 'PLATFORM_EVENTS_URL'),
    outboundRetryBaseMs: readPositiveInteger(env, 'OUTBOUND_RETRY_BASE_MS', 10_000),
    outboundGiveUpHours: readPositiveNumber(env, 'OUTBOUND_GIVE_UP_HOURS', 26),
    conversationApiUrl: readUrl(env, 'CONVERSATION_API_URL', null),
    conversationApiToken: readPairedSecret(env, 'CONVERSATION_API_TOKEN', 'CONVERSATION_API_URL'),
    processRole: readEnum(env, 'PROCESS_ROLE', ['api', 'worker', 'all'] as const, 'all'),
    logLevel: readEnum(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    reconcileAfterMinutes: readPositiveInteger(env, 'RECONCILE_AFTER_MINUTES', 30),
    embeddedPostgresPort: readPort(env, 'EMBEDDED_POSTGRES_PORT', 54329),
    embeddedPostgresDir: readString(env, 'EMBEDDED_POSTGRES_DIR', '.data/postgres'),
  };
}

function readString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(name, `must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

function readPositiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(name, `must be a positive whole number, got "${raw}"`);
  return value;
}

function readPositiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value <= 0) throw new ConfigError(name, `must be a positive number, got "${raw}"`);
  return value;
}

function readUrl(env: Env, name: string, fallback: string | null, protocols = ['http:', 'https:']): string | null {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${url.protocol}"`);
  }
  return raw;
}

function readSecret(env: Env, name: string, required: boolean, developmentDefault: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    if (required) throw new ConfigError(name, 'is required in production');
    return developmentDefault;
  }
  if (value.length < 16) throw new ConfigError(name, 'must be at least 16 characters');
  return value;
}

function readPairedSecret(env: Env, name: string, pairedWith: string): string | null {
  const value = env[name] || null;
  if (env[pairedWith] && !value) throw new ConfigError(name, `is required when ${pairedWith} is set`);
  return value;
}

function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/**
 * CREDENTIALS_ENCRYPTION_KEY is one base64 32-byte key, or a rotation list "id1:base64,id2:base64" whose first
 * entry encrypts new values while every entry can still decrypt.
 */
function readEncryptionKeys(env: Env, isProduction: boolean): EncryptionKey[] {
  const raw = env.CREDENTIALS_ENCRYPTION_KEY?.trim();
  if (!raw) {
    if (isProduction) throw new ConfigError('CREDENTIALS_ENCRYPTION_KEY', 'is required in production');
    return [{ id: 'dev', key: DEVELOPMENT_ENCRYPTION_KEY }];
  }
  return raw.split(',').map((entry, index) => parseKeyEntry(entry.trim(), index));
}

function parseKeyEntry(entry: string, index: number): EncryptionKey {
  const separator = entry.indexOf(':');
  const id = separator > 0 ? entry.slice(0, separator) : `k${index + 1}`;
  const encoded = separator > 0 ? entry.slice(separator + 1) : entry;
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('CREDENTIALS_ENCRYPTION_KEY', 'must be 32 bytes encoded in base64 (openssl rand -base64 32)');
  }
  return { id, key };
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** For scripts and tests that need a valid random key. */
export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}
