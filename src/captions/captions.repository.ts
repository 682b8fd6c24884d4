import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { EntityManager } from 'typeorm';
import { InvalidInputError } from '../common/errors/app-errors';
import { DatabaseService } from '../resources/database/database.service';
import { namedStatement } from '../resources/database/database.statements';
import { CaptionPage, CaptionView } from './caption.types';
import { GenerateCaptionBody } from './schemas/generate-caption.schema';
import { CaptionGeneration } from './models/caption-model.types';

/** A row as pg returns it: the view's fields, with the timestamp as a Date and no `cached`. */
type CaptionRow = Omit<CaptionView, 'cached' | 'created_at'> & { created_at: Date };

const COLUMNS =
  'id, caption, hashtags, style, tone, language, content_description, model, fallback, processing_time_ms, created_at';

/** The captions' queries, named: each connection parses and plans them once, not per request. */
const STATEMENTS = {
  insert: namedStatement(
    'captions_insert',
    `INSERT INTO captions (request_key, content_description, style, tone, language, hashtag_count, max_length, caption, hashtags, model, fallback, processing_time_ms)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12) RETURNING ${COLUMNS}`,
  ),
  findByIds: namedStatement(
    'captions_find_by_ids',
    `SELECT ${COLUMNS} FROM captions WHERE id = ANY($1::uuid[])`,
  ),
  firstPage: namedStatement(
    'captions_first_page',
    `SELECT ${COLUMNS} FROM captions ORDER BY created_at DESC, id DESC LIMIT $1`,
  ),
  pageAfter: namedStatement(
    'captions_page_after',
    `SELECT ${COLUMNS} FROM captions WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3`,
  ),
};

/** Captions in PostgreSQL: insert, fetch by id, keyset pages newest first. */
@Injectable()
export class CaptionsRepository {
  /**
   * Reads by id made together share one query (DataLoader). The batch is dispatched at the next
   * check phase (setImmediate), not DataLoader's default end of the current tick, so the requests
   * read from the sockets in one poll of the event loop join one batch: under load that is one
   * round trip, one socket write and one result to parse instead of one per request, which was
   * most of what a read by id cost this process (bench:profile). Nothing is cached: a row is read
   * fresh by every batch.
   */
  private readonly byId = new DataLoader<string, CaptionView | undefined>(
    async (ids) => {
      const found = await this.findByIds([...new Set(ids)]);
      return ids.map((id) => found.get(id));
    },
    { cache: false, maxBatchSize: 100, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );

  constructor(private readonly database: DatabaseService) {}

  /** Stores one caption; pass `manager` to take part in a caller's transaction. */
  async insert(
    request: GenerateCaptionBody,
    requestKey: string,
    result: CaptionGeneration,
    processingMs: number,
    manager?: EntityManager,
  ): Promise<CaptionView> {
    const params = [
      requestKey,
      request.content_description,
      request.style,
      request.tone ?? null,
      request.language,
      request.hashtag_count,
      request.max_length,
      result.caption,
      JSON.stringify(result.hashtags),
      result.model,
      result.fallback,
      processingMs,
    ];
    // A caller's transaction runs on TypeORM's session: plain text there.
    const rows: CaptionRow[] = manager
      ? await manager.query(STATEMENTS.insert.text, params)
      : await this.database.query<CaptionRow>(STATEMENTS.insert, params);
    return toView(rows[0], false);
  }

  async findById(id: string): Promise<CaptionView | undefined> {
    // No row has an id that is not a UUID; one in a batch would fail the batch's uuid[] cast.
    return UUID.test(id) ? this.byId.load(id.toLowerCase()) : undefined;
  }

  private async findByIds(ids: string[]): Promise<Map<string, CaptionView>> {
    const rows = await this.database.query<CaptionRow>(STATEMENTS.findByIds, [ids]);
    return new Map(rows.map((row) => [row.id, toView(row, false)]));
  }

  /** Newest first; the cursor is the (created_at, id) of the last row of the previous page. */
  async page(limit: number, cursor?: string): Promise<CaptionPage> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = after
      ? await this.database.query<CaptionRow>(STATEMENTS.pageAfter, [
          after.createdAt,
          after.id,
          limit + 1,
        ])
      : await this.database.query<CaptionRow>(STATEMENTS.firstPage, [limit + 1]);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => toView(row, false)),
      next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }
}

function toView(row: CaptionRow, cached: boolean): CaptionView {
  return {
    id: row.id,
    caption: row.caption,
    hashtags: row.hashtags,
    style: row.style,
    tone: row.tone,
    language: row.language,
    content_description: row.content_description,
    model: row.model,
    cached,
    fallback: row.fallback,
    processing_time_ms: Number(row.processing_time_ms),
    created_at: new Date(row.created_at).toISOString(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${new Date(createdAt).toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (Number.isNaN(createdAt.getTime()) || !UUID.test(id ?? '')) {
    throw new InvalidInputError('cursor is not a next_cursor value from a previous page');
  }
  return { createdAt, id };
}
