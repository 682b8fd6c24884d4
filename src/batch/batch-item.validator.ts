import { compileBodySchema } from '../common/validation/request-ajv';
import { validationMessages } from '../common/validation/validation-messages';
import {
  GenerateCaptionBody,
  GenerateCaptionBodySchema,
} from '../captions/schemas/generate-caption.schema';

export type ItemValidation =
  | { ok: true; body: GenerateCaptionBody }
  | { ok: false; error: { statusCode: 400; message: string[] } };

/** The caption request schema, compiled once by the same ajv as POST /captions/generate's. */
const validateCaptionRequest = compileBodySchema(GenerateCaptionBodySchema);

/**
 * Validates one batch item exactly as POST /captions/generate validates its body: the same
 * schema and messages, unknown fields refused by name, defaults filled in and text trimmed (in
 * place: the item becomes the validated request).
 */
export function validateBatchItem(item: unknown): ItemValidation {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { ok: false, error: { statusCode: 400, message: ['each request must be an object'] } };
  }
  if (validateCaptionRequest(item)) return { ok: true, body: item as GenerateCaptionBody };
  const message = validationMessages(validateCaptionRequest.errors ?? []);
  return { ok: false, error: { statusCode: 400, message } };
}
