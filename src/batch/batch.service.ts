import { Injectable } from '@nestjs/common';
import { Semaphore } from 'async-mutex';
import { AppError } from '../common/errors/app-errors';
import { CaptionView } from '../captions/caption.types';
import { CaptionsService } from '../captions/captions.service';
import { validateBatchItem } from './batch-item.validator';

/** Items of one synchronous batch generated at once. */
const BATCH_CONCURRENCY = 8;

export type BatchItemResult =
  | ({ index: number; ok: true } & CaptionView)
  | { index: number; ok: false; error: { statusCode: number; message: string | string[] } };

/** POST /batch/generate: up to 100 requests, bounded concurrency, each item failing alone. */
@Injectable()
export class BatchService {
  constructor(private readonly captions: CaptionsService) {}

  async generate(
    requests: unknown[],
  ): Promise<{ results: BatchItemResult[]; succeeded: number; failed: number }> {
    const gate = new Semaphore(BATCH_CONCURRENCY);
    const results = await Promise.all(
      requests.map((item, index) => gate.runExclusive(() => this.one(item, index))),
    );
    const succeeded = results.filter((r) => r.ok).length;
    return { results, succeeded, failed: results.length - succeeded };
  }

  private async one(item: unknown, index: number): Promise<BatchItemResult> {
    const validation = validateBatchItem(item);
    if (!validation.ok) return { index, ok: false, error: validation.error };
    try {
      return { index, ok: true, ...(await this.captions.generate(validation.body)) };
    } catch (error) {
      return { index, ok: false, error: describeError(error) };
    }
  }
}

/** An item's error as the client sees it: typed errors keep their status; others are 500s without detail. */
export function describeError(error: unknown): { statusCode: number; message: string } {
  if (error instanceof AppError) return { statusCode: error.status, message: error.message };
  return { statusCode: 500, message: 'internal error' };
}
