// autocannon ships no type declarations and @types/autocannon is not a dependency: only what bench/lib/load.ts uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Replaces every `[<id>]` in the request with a fresh unique id, request by request. */
      idReplacement?: boolean;
      /** Runs the load generator in this many worker threads instead of the calling thread. */
      workers?: number;
    }

    interface Histogram {
      average: number;
      p50: number;
      p99: number;
      max: number;
    }

    interface Result {
      latency: Histogram;
      /** Per-second samples; `total` is every completed response. */
      requests: Histogram & { total: number };
      /** Seconds. */
      duration: number;
      non2xx: number;
      errors: number;
      timeouts: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
    }
  }

  namespace autocannon {
    /** Resolves with the result; `stop()` ends the run early. */
    interface Instance extends PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
