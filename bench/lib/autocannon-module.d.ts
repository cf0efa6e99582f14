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
      /** Stops after this many responses in all (each connection gets its share); `duration` is then ignored. */
      amount?: number;
      /** Requests each connection cycles through; in worker mode the hooks are paths of CommonJS modules. */
      requests?: Request[];
    }

    /** Extra fields are kept and handed to `setupRequest` with the request. */
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Module exporting `(request, context) => request`, called before each send. */
      setupRequest?: string;
      /** Module exporting `(status, body, context, headers) => void`, called on each answer. */
      onResponse?: string;
      [extra: string]: unknown;
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
