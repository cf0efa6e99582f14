import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Role } from '../../src/accounts/auth/principal';
import { createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/common/config/app-config';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  http: ReturnType<typeof request>;
  baseUrl: string;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** The real application on the run's PostgreSQL database and Redis, listening on a free port. */
export async function startTestApp(env: Record<string, string> = {}, options: { port?: number } = {}): Promise<TestApp> {
  const config = loadConfig({ ...process.env, ...env });
  const app = await createApp(config, process.env.DATABASE_URL!);
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    http: request(app.getHttpServer()),
    baseUrl: `http://127.0.0.1:${address.port}`,
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}

/** A free loopback port, for apps whose PUBLIC_BASE_URL (webhook target) must be known before they listen. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the app on a fixed port whose PUBLIC_BASE_URL points at itself, so simulators deliver webhooks to it. */
export async function startReachableApp(env: Record<string, string> = {}): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({ ...env, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, { port });
}

export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function tokenFor(role: Role, accountId?: string, options: { secret?: string; expiresIn?: number } = {}): string {
  const claims = { sub: `user-${role}`, role, ...(accountId ? { accountId } : {}) };
  return jwt.sign(claims, options.secret ?? process.env.AUTH_JWT_SECRET!, { algorithm: 'HS256', expiresIn: options.expiresIn ?? 3600 });
}

export function bearer(role: Role, accountId?: string): { Authorization: string } {
  return { Authorization: `Bearer ${tokenFor(role, accountId)}` };
}

export function newAccountId(): string {
  return `acc_${randomUUID().slice(0, 12)}`;
}

/** Creates an account with the Payments module on, through the operator route. */
export async function enabledAccount(testApp: TestApp): Promise<string> {
  const accountId = newAccountId();
  await testApp.http.put(`/v1/operator/accounts/${accountId}/payments-module`).set(bearer('operator')).send({ enabled: true }).expect(200);
  return accountId;
}
