import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPOSITORY_ROOT = resolve(__dirname, '../../..');
const TAIL_LINES = 60;
const running = new Set<ChildProcess>();

// A jest run that dies (timeout, crash) must not leave services behind: they would keep consuming the queues.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The real service (`node -r ts-node/register/transpile-only src/main.ts`) as a child process, so that SIGKILL
 * is real: no graceful shutdown, open transactions cut, Bull jobs left active, HTTP requests left hanging.
 * Every start logs to its own file; the last lines are kept for failure messages.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private tail: string[] = [];
  private log: WriteStream | null = null;
  private starts = 0;
  readonly url: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDirectory: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    mkdirSync(logDirectory, { recursive: true });
  }

  get isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the service and resolves once GET /health answers 200 (database and Redis up). */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.isRunning) throw new Error(`${this.name} is already running`);
    this.starts += 1;
    const logFile = join(this.logDirectory, `${this.name}-${this.starts}.log`);
    this.log = createWriteStream(logFile);
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    const log = this.log;
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code) => {
        running.delete(child);
        log.end();
        resolveExit(code);
      }),
    );
    const record = (chunk: Buffer) => {
      this.log?.write(chunk);
      this.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    await this.waitUntilHealthy(child, timeoutMs, logFile);
  }

  /** `kill -9`: nothing in the process gets to run again. */
  async kill9(): Promise<void> {
    if (!this.child || !this.isRunning) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful close), SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.child || !this.isRunning) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines the process wrote, for failure messages. */
  describe(): string {
    const state = this.isRunning ? `running (pid ${this.pid})` : `not running (exit ${this.child?.exitCode ?? this.child?.signalCode ?? 'never started'})`;
    return `--- ${this.name}: ${state}; logs in ${this.logDirectory}/${this.name}-*.log; last lines:\n${this.tail.join('\n')}`;
  }

  private async waitUntilHealthy(child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name} exited (${child.exitCode ?? child.signalCode}) before it was healthy; log ${logFile}:\n${this.tail.join('\n')}`);
      }
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(3000) });
        if (response.status === 200) return;
        last = `HTTP ${response.status}: ${await response.text()}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(200);
    }
    child.kill('SIGKILL');
    throw new Error(`${this.name} was not healthy within ${timeoutMs} ms (last: ${last}); log ${logFile}:\n${this.tail.join('\n')}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
