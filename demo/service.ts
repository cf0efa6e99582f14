import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';

/** What `npm run build` compiles (tsconfig.build.json); dist is stale when any of it is newer than main.js. */
const BUILD_INPUTS = ['src', 'migrations', 'scripts', 'tsconfig.json', 'tsconfig.build.json'];
const MAIN = join('dist', 'src', 'main.js');
const LOG_TAIL_LINES = 40;

export class DemoFailure extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Why dist must be (re)built, or null when it is up to date. */
export function buildReason(root: string): string | null {
  const main = join(root, MAIN);
  if (!existsSync(main)) return `${MAIN} is missing`;
  const builtAt = statSync(main).mtimeMs;
  const newer = newestFile(BUILD_INPUTS.map((input) => join(root, input)));
  if (newer && newer.mtimeMs > builtAt) return `${relative(root, newer.path)} changed after the last build`;
  return null;
}

function newestFile(paths: string[]): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules') visit(join(path, entry));
    } else if (!newest || stat.mtimeMs > newest.mtimeMs) {
      newest = { path, mtimeMs: stat.mtimeMs };
    }
  };
  paths.forEach(visit);
  return newest;
}

/** `npm run build`, output kept and shown only when it fails. */
export async function build(root: string): Promise<void> {
  // Under `npm run demo` npm tells us where it lives; otherwise the npm on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli, 'run', 'build']] : ['npm', ['run', 'build']];
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' && command === 'npm' });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    throw new DemoFailure(`npm run build failed (exit ${code})`, output.trim().split('\n').slice(-LOG_TAIL_LINES));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The PostgreSQL server running on a data folder (from its postmaster.pid), or null. */
export function runningPostgres(dataDir: string): { pid: number; port: number } | null {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && processAlive(pid) ? { pid, port } : null;
}

/**
 * The port for the demo's embedded PostgreSQL. A server left running on the data folder by an interrupted run
 * keeps its port (the service then reuses it); otherwise the preferred port, or any free one if it is taken.
 */
export async function embeddedPostgresPort(dataDir: string, preferred: number): Promise<{ port: number; leftoverPid: number | null }> {
  const leftover = runningPostgres(dataDir);
  if (leftover) return { port: leftover.port, leftoverPid: leftover.pid };
  return { port: (await portIsFree(preferred)) ? preferred : await freePort(), leftoverPid: null };
}

/** Stops a PostgreSQL server (SIGINT: fast shutdown) and waits for it to go. */
export async function stopPostgres(pid: number, timeoutMs = 10_000): Promise<boolean> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return true;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await sleep(100);
  }
  return false;
}

/** Waits until no server runs on the data folder; false if one still does after timeoutMs. */
export async function postgresStopped(dataDir: string, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!runningPostgres(dataDir)) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops a service an earlier, killed demo run left running (SIGTERM, then SIGKILL). False if `pid` is not one. */
export async function stopLeftoverService(pid: number): Promise<boolean> {
  if (!processAlive(pid) || !commandOf(pid).includes(MAIN)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (processAlive(pid) && Date.now() < deadline) await sleep(100);
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}

/** The command line of a live process ('' when unknown). */
export function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

export interface ServiceOptions {
  root: string;
  env: Record<string, string>;
  port: number;
  logFile: string;
  /** Called with the service's pid as soon as it is spawned. */
  onSpawn: (pid: number) => void;
  /** Start-up lines worth showing (embedded database, migrations, listening). */
  onProgress: (message: string) => void;
}

/**
 * The real service as `npm start` runs it: `node dist/src/main.js`, in its own process group so that a Ctrl+C
 * in the terminal reaches only the demo, which then stops the service with one SIGTERM.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private exitCode: number | null | undefined = undefined;
  private exitSignal: NodeJS.Signals | null = null;
  private readonly tail: string[] = [];
  private readonly stderrLines: string[] = [];
  /** Log lines at level error, for the summary. */
  readonly errorLines: string[] = [];
  private log: WriteStream | null = null;

  constructor(private readonly options: ServiceOptions) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.exitCode === undefined;
  }

  /** The last lines the service wrote (stdout and stderr). */
  recentOutput(): string[] {
    return [...this.tail];
  }

  start(): void {
    mkdirSync(join(this.options.logFile, '..'), { recursive: true });
    this.log = createWriteStream(this.options.logFile, { flags: 'w' });
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env };
    // The demo must run on the embedded database whatever the developer's shell exports.
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [MAIN], { cwd: this.options.root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    this.child = child;
    if (child.pid) this.options.onSpawn(child.pid);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve(code);
      });
      child.once('error', (error) => {
        this.record(`could not start: ${error.message}`);
        this.exitCode = null;
        resolve(null);
      });
    });
    this.pipeLines(child.stdout!, false);
    this.pipeLines(child.stderr!, true);
  }

  /** Polls GET /health until 200; fails early if the process exits (Redis down, port taken, bad config...). */
  async waitUntilHealthy(timeoutMs: number): Promise<Record<string, string>> {
    const deadline = Date.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) {
        await this.exited;
        throw new DemoFailure(`the service stopped during start-up (${this.describeExit()}); its last words:`, this.stderrFirst());
      }
      try {
        const response = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
        const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, string> };
        if (response.status === 200) return body.checks ?? {};
        lastProblem = `HTTP ${response.status} ${JSON.stringify(body.checks ?? body)}`;
      } catch (error) {
        lastProblem = error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error);
      }
      await sleep(250);
    }
    throw new DemoFailure(`GET /health did not answer 200 within ${timeoutMs / 1000} s (last: ${lastProblem})`, this.recentOutput());
  }

  /** SIGTERM and wait: main.ts closes the HTTP server and the queues, then stops the embedded PostgreSQL. */
  async stop(timeoutMs = 20_000): Promise<{ alreadyExited: boolean; exit: string; code: number | null; forced: boolean }> {
    const child = this.child;
    if (!child || !this.running) {
      await new Promise<void>((resolve) => (this.log ? this.log.end(() => resolve()) : resolve()));
      return { alreadyExited: true, exit: this.describeExit(), code: this.exitCode ?? null, forced: false };
    }
    child.kill('SIGTERM');
    const timedOut = Symbol('timeout');
    const result = await Promise.race([this.exited, sleep(timeoutMs).then(() => timedOut)]);
    let forced = false;
    if (result === timedOut) {
      forced = true;
      this.killGroup('SIGKILL');
      await this.exited;
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(() => resolve()) : resolve()));
    return { alreadyExited: false, exit: this.describeExit(), code: this.exitCode ?? null, forced };
  }

  describeExit(): string {
    if (this.exitSignal) return `killed by ${this.exitSignal}`;
    return `exit code ${this.exitCode}`;
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      // The negative pid addresses the service's own process group (it was started detached).
      process.kill(process.platform === 'win32' ? pid : -pid, signal);
    } catch {
      // already gone
    }
  }

  private stderrFirst(): string[] {
    return this.stderrLines.length > 0 ? this.stderrLines.slice(-LOG_TAIL_LINES) : this.recentOutput();
  }

  private pipeLines(stream: NodeJS.ReadableStream, isStderr: boolean): void {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      this.log?.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.record(line);
        if (isStderr) this.stderrLines.push(line);
        else this.progressFrom(line);
      }
    });
  }

  private record(line: string): void {
    this.tail.push(line);
    if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
  }

  private progressFrom(line: string): void {
    let entry: { level?: unknown; msg?: unknown; migrations?: unknown };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.level === 'error') this.errorLines.push(line);
    const message = typeof entry.msg === 'string' ? entry.msg : '';
    if (message.startsWith('DATABASE_URL is unset')) this.options.onProgress(message.replace('DATABASE_URL is unset: ', ''));
    else if (message === 'migrations applied' && Array.isArray(entry.migrations)) this.options.onProgress(`applied ${entry.migrations.length} migration(s) to the fresh database`);
    else if (message.startsWith('payments service listening')) this.options.onProgress('listening');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
