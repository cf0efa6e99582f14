/** Undo steps run last-in first-out, each once, each even when an earlier one failed. */
export class CleanupStack {
  private readonly steps: Array<{ what: string; undo: () => Promise<unknown> }> = [];
  private running: Promise<string[]> | null = null;

  push(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  /** Returns the failures as messages; a second caller (an abort during the normal clean-up) awaits the first. */
  runAll(): Promise<string[]> {
    this.running ??= this.drain();
    return this.running;
  }

  private async drain(): Promise<string[]> {
    const failures: string[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.undo();
      } catch (error) {
        failures.push(`clean-up "${step.what}" failed: ${messageOf(error)}`);
      }
    }
    return failures;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
