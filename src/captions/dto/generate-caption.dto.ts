import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  ValidateIf,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MODEL_NAME_PATTERN } from '../../resources/model-pool/model-pool.constants';
import { CAPTION_STYLES, CaptionStyle } from '../models/caption-model.types';

/** Instagram's caption limit, the default and the ceiling of `max_length`. */
export const INSTAGRAM_CAPTION_LIMIT = 2200;

/**
 * Fields with a default are optional, but an explicit null is an error (IsOptional would let
 * null through, skipping the default).
 */
const givenOrNull = (_: object, value: unknown) => value !== undefined;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A caption request, as POST /captions/generate and each batch item take it. */
export class GenerateCaptionDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 2000,
    example: 'Sunrise over the Dolomites with my dog on a cold morning hike',
  })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  content_description!: string;

  @ApiProperty({ enum: CAPTION_STYLES, example: 'inspirational' })
  @IsIn(CAPTION_STYLES)
  style!: CaptionStyle;

  @ApiPropertyOptional({ minimum: 0, maximum: 30, default: 5 })
  @ValidateIf(givenOrNull)
  @IsInt()
  @Min(0)
  @Max(30)
  hashtag_count: number = 5;

  @ApiPropertyOptional({ maxLength: 50, example: 'playful' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  tone?: string;

  @ApiPropertyOptional({ default: 'en', example: 'en', description: 'BCP 47 language tag' })
  @ValidateIf(givenOrNull)
  @IsString()
  @Matches(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$/, {
    message: 'language must be a language tag such as en or en-GB',
  })
  language: string = 'en';

  @ApiPropertyOptional({
    minimum: 1,
    maximum: INSTAGRAM_CAPTION_LIMIT,
    default: INSTAGRAM_CAPTION_LIMIT,
  })
  @ValidateIf(givenOrNull)
  @IsInt()
  @Min(1)
  @Max(INSTAGRAM_CAPTION_LIMIT)
  max_length: number = INSTAGRAM_CAPTION_LIMIT;

  @ApiPropertyOptional({
    example: 'caption-local',
    description: 'A registered model name (see /resources/models/status)',
  })
  @IsOptional()
  @IsString()
  @Matches(MODEL_NAME_PATTERN, { message: 'model must be a plain model name' })
  model?: string;
}
