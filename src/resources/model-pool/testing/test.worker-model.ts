/**
 * A worker model for the pool's worker tests (loaded from its path in real threads). Its spec
 * options shape the load: `sizeMb` (a buffer held, so the footprint has something to measure),
 * `loadDelayMs`, `failLoad` (message). Its methods cover what a real model can do to a thread:
 * answer, compute, throw, throw a typed error, never return, exit, and run out of memory.
 */
import { getPriority } from 'node:os';
import { threadId } from 'node:worker_threads';
import { InvalidInputError } from '../../../common/errors/app-errors';
import type { ModelSpec } from '../model-pool.types';

export interface TestWorkerModel {
  echo(text: string): Promise<string>;
  /** Burns CPU for `ms` on its thread, then answers the thread id. */
  spin(ms: number): Promise<number>;
  /** Answers after `ms` without blocking its thread. */
  sleep(ms: number): Promise<number>;
  fail(message: string): Promise<never>;
  failTyped(message: string): Promise<never>;
  /** Never returns: a synchronous endless loop. */
  hang(): Promise<never>;
  exit(code: number): Promise<never>;
  /** Allocates until its thread runs out of memory. */
  grow(): Promise<never>;
  threadId(): Promise<number>;
  /** Its thread's own scheduling priority (niceness; on Linux it is per thread). */
  priority(): Promise<number>;
  /**
   * A caption model's method, steered by the description: `hang`, `exit`, `throw`,
   * `sleep:<ms>`, each optionally `@<model>` (only that model obeys; a fallback answers).
   */
  generate(request: { content_description: string; hashtag_count: number }): Promise<unknown>;
}

/** A caption (a CaptionModel answer) whose description says what to do to the thread first. */
async function generate(
  name: string,
  request: { content_description: string; hashtag_count: number },
): Promise<{ caption: string; hashtags: string[] }> {
  const [directive, target] = request.content_description.split('@');
  const [what, arg] = target && !target.startsWith(name) ? [] : directive.split(':');
  if (what === 'hang') for (;;);
  if (what === 'exit') process.exit(7);
  if (what === 'throw') throw new Error('the model broke');
  if (what === 'sleep') await new Promise((resolve) => setTimeout(resolve, Number(arg)));
  const hashtags = Array.from({ length: request.hashtag_count }, (_, i) => `#tag${i}`);
  return { caption: `${name} wrote about ${request.content_description}`, hashtags };
}

export async function load(spec: ModelSpec) {
  const {
    sizeMb = 0,
    loadDelayMs = 0,
    failLoad,
  } = spec.options as {
    sizeMb?: number;
    loadDelayMs?: number;
    failLoad?: string;
  };
  if (loadDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, loadDelayMs));
  if (failLoad) throw new Error(failLoad);
  let weights: Buffer | undefined = Buffer.alloc(sizeMb * 1024 * 1024, 1);
  return {
    echo: (text: string) => `${spec.name}: ${text} (${weights?.length ?? 0} bytes)`,
    spin: (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
      return threadId;
    },
    sleep: (ms: number) => new Promise((resolve) => setTimeout(() => resolve(threadId), ms)),
    fail: (message: string) => {
      throw new Error(message);
    },
    failTyped: (message: string) => {
      throw new InvalidInputError(message);
    },
    hang: () => {
      for (;;);
    },
    exit: (code: number) => process.exit(code),
    grow: () => {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(100_000).fill(hoard.length));
    },
    threadId: () => threadId,
    priority: () => getPriority(0),
    generate: (request: { content_description: string; hashtag_count: number }) =>
      generate(spec.name, request),
    unload: () => {
      weights = undefined;
    },
  };
}
