import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { BULL_MODULE_QUEUE, BULL_MODULE_QUEUE_PROCESS } from '@nestjs/bull/dist/bull.constants';
import { JOBS } from './queues';

interface ProcessorMetadata {
  name?: string;
}

/** Fails start-up when a job name has no processor, or more than one, in a process that runs workers. */
@Injectable()
export class JobProcessorCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    const problems = findProcessorProblems(this.collectHandlers());
    if (problems.length > 0) throw new Error(`Job processor check failed: ${problems.join('; ')}`);
  }

  collectHandlers(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const queue = Reflect.getMetadata(BULL_MODULE_QUEUE, wrapper.metatype) as { name?: string } | undefined;
      if (!queue) continue;
      for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const process = Reflect.getMetadata(BULL_MODULE_QUEUE_PROCESS, instance[method] as object) as ProcessorMetadata | undefined;
        if (!process) continue;
        const key = `${queue.name ?? 'default'}:${process.name ?? '*'}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    return counts;
  }
}

export function findProcessorProblems(handlers: Map<string, number>): string[] {
  const expected = Object.entries(JOBS).flatMap(([queue, jobs]) => jobs.map((job) => `${queue}:${job}`));
  const missing = expected.filter((key) => !handlers.has(key)).map((key) => `no processor for ${key}`);
  const duplicated = [...handlers].filter(([, count]) => count > 1).map(([key, count]) => `${count} processors for ${key}`);
  const unknown = [...handlers.keys()].filter((key) => !expected.includes(key)).map((key) => `processor for undeclared job ${key}`);
  return [...missing, ...duplicated, ...unknown];
}
