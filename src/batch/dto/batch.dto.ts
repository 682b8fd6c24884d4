import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { ValidatedLater } from '../../common/validation/validated-later.decorator';

/** Largest synchronous batch. */
export const MAX_BATCH_ITEMS = 100;
/** Largest background job. */
export const MAX_JOB_ITEMS = 10_000;

/**
 * Items are taken as plain objects here and validated one by one later, so that one bad item
 * fails alone (with its index) instead of failing the whole batch.
 */
export class BatchGenerateDto {
  @ApiProperty({
    type: 'array',
    minItems: 1,
    maxItems: MAX_BATCH_ITEMS,
    items: { type: 'object' },
    example: [
      { content_description: 'Latte art in a sunny cafe', style: 'casual', hashtag_count: 3 },
    ],
  })
  @ValidatedLater()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  requests!: unknown[];
}

export class BatchJobDto {
  @ApiProperty({ type: 'array', minItems: 1, maxItems: MAX_JOB_ITEMS, items: { type: 'object' } })
  @ValidatedLater()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_JOB_ITEMS)
  requests!: unknown[];
}

export class JobResultsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;

  /** The index after which the page starts (next_cursor of the previous page). */
  @IsOptional()
  @Matches(/^\d{1,6}$/, { message: 'cursor must be a next_cursor value from a previous page' })
  cursor?: string;
}
