import { Static, Type } from '@sinclair/typebox';
import { Matching, Nullable, StringEnum, TrimmedString } from '../../common/api-route/schema-types';
import { MODEL_NAME_PATTERN } from '../../resources/model-pool/model-pool.constants';
import { CAPTION_STYLES } from '../models/caption-model.types';

/** Instagram's caption limit, the default and the ceiling of `max_length`. */
export const INSTAGRAM_CAPTION_LIMIT = 2200;

const LANGUAGE_TAG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$/;

/**
 * A caption request, as POST /captions/generate and each batch item take it. Fields with a
 * default may be left out, but an explicit null is an error; `tone` and `model` have no
 * default, so null there means "not given".
 */
export const GenerateCaptionBodySchema = Type.Object(
  {
    content_description: TrimmedString({
      minLength: 1,
      maxLength: 2000,
      description: 'What the post shows (trimmed)',
      examples: ['Sunrise over the Dolomites with my dog on a cold morning hike'],
    }),
    style: StringEnum(CAPTION_STYLES, { examples: ['inspirational'] }),
    hashtag_count: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30, default: 5, description: 'Hashtags to return' }),
    ),
    tone: Type.Optional(
      Nullable(TrimmedString({ minLength: 1, maxLength: 50, examples: ['playful'] })),
    ),
    language: Type.Optional(
      Matching(LANGUAGE_TAG, 'must be a language tag such as en or en-GB', {
        default: 'en',
        description: 'BCP 47 language tag',
        examples: ['en'],
      }),
    ),
    max_length: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: INSTAGRAM_CAPTION_LIMIT,
        default: INSTAGRAM_CAPTION_LIMIT,
        description: "Longest caption, in characters (Instagram's limit by default)",
      }),
    ),
    model: Type.Optional(
      Nullable(
        Matching(MODEL_NAME_PATTERN, 'must be a plain model name', {
          description: 'A registered model name (see /resources/models/status)',
          examples: ['caption-local'],
        }),
      ),
    ),
  },
  { additionalProperties: false, description: 'A caption request' },
);

/** A validated caption request: the schema's defaults are filled in. */
export type GenerateCaptionBody = Static<typeof GenerateCaptionBodySchema> &
  Required<
    Pick<Static<typeof GenerateCaptionBodySchema>, 'hashtag_count' | 'language' | 'max_length'>
  >;
