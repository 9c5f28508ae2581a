// The part of autocannon 9's programmatic API that service-load.ts uses (autocannon ships no
// types, and @types/autocannon is not needed for this much).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  interface Options {
    url: string
    connections?: number
    duration?: number
    pipelining?: number
    /** Seconds before a request counts as timed out. */
    timeout?: number
  }

  interface Result {
    /** Seconds the run lasted. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    requests: { sent: number; total: number }
  }

  /** A running load test: an EventEmitter that is also a promise of its result. */
  interface Instance extends EventEmitter, PromiseLike<Result> {
    on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): this
  }

  function autocannon(options: Options): Instance
  export default autocannon
}
