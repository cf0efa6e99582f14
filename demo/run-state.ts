import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { commandOf, DemoFailure, processAlive } from './service';

/** What a demo run started, written while it runs so that the next run can tidy up if this one is killed. */
export interface RunState {
  demoPid: number;
  servicePid: number | null;
  queuePrefix: string;
  startedAt: string;
}

/**
 * Takes the demo's run file. Refuses while another demo is running (both would share the embedded database
 * folder); otherwise returns what a killed earlier run left behind, for the caller to clean up.
 */
export function claimRun(file: string, state: RunState): RunState | null {
  mkdirSync(dirname(file), { recursive: true });
  const previous = readRun(file);
  if (previous && previous.demoPid !== state.demoPid && processAlive(previous.demoPid) && commandOf(previous.demoPid).includes('demo/run')) {
    throw new DemoFailure(`another "npm run demo" is running (pid ${previous.demoPid}, since ${previous.startedAt}); let it finish or stop it with Ctrl+C`);
  }
  writeRun(file, state);
  return previous;
}

export function updateRun(file: string, patch: Partial<RunState>): void {
  const current = readRun(file);
  if (current) writeRun(file, { ...current, ...patch });
}

export function releaseRun(file: string): void {
  rmSync(file, { force: true });
}

function readRun(file: string): RunState | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunState;
  } catch {
    return null;
  }
}

function writeRun(file: string, state: RunState): void {
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}
