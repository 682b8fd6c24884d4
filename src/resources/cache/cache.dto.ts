import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { KEY_PATTERN, MAX_KEY_LENGTH, MAX_TTL_SECONDS } from './cache.constants';

const KEY_RULE = `1-${MAX_KEY_LENGTH} characters from A-Z a-z 0-9 . _ : @ = + -`;

/** Present in the body, with any JSON value, null included. */
function IsPresent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPresent',
      validator: {
        validate: (value: unknown) => value !== undefined,
        defaultMessage: (args) => `${args?.property ?? 'value'} is required (any JSON value)`,
      },
    },
    options,
  );
}

/** The `{key}` path segment of the admin routes. */
export class CacheKeyParamsDto {
  @ApiProperty({ description: `Cache key: ${KEY_RULE}`, example: 'caption:abc123' })
  @Matches(KEY_PATTERN, { message: `key must be ${KEY_RULE}` })
  key!: string;
}

/** Body of `POST /resources/cache/{key}`. */
export class SetCacheValueDto {
  @ApiProperty({
    description:
      'Any JSON value (object, array, string, number, boolean, null); at most CACHE_MAX_VALUE_BYTES of JSON and 32 levels deep',
    example: { caption: 'Sunset over the bay', hashtags: ['#sunset'] },
  })
  @IsPresent()
  value!: unknown;

  @ApiPropertyOptional({
    description: 'Lifetime in seconds. Default CACHE_TTL.',
    minimum: 1,
    maximum: MAX_TTL_SECONDS,
    example: 300,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TTL_SECONDS)
  ttl?: number;
}
