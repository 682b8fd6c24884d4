import { plainToInstance } from 'class-transformer';
import { ValidationError, validate } from 'class-validator';
import { GenerateCaptionDto } from '../captions/dto/generate-caption.dto';
import {
  unknownProperties,
  unknownPropertyMessages,
} from '../common/validation/unknown-properties';

export type ItemValidation =
  | { ok: true; dto: GenerateCaptionDto }
  | { ok: false; error: { statusCode: 400; message: string[] } };

/** Validates one batch item exactly as the global ValidationPipe validates a single request. */
export async function validateBatchItem(item: unknown): Promise<ItemValidation> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { ok: false, error: { statusCode: 400, message: ['each request must be an object'] } };
  }
  // Checked on the plain item: class-transformer drops keys such as `toString` silently.
  const unknown = unknownProperties(GenerateCaptionDto, item);
  if (unknown.length > 0)
    return { ok: false, error: { statusCode: 400, message: unknownPropertyMessages(unknown) } };
  const dto = plainToInstance(GenerateCaptionDto, item);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) return { ok: false, error: { statusCode: 400, message: flatten(errors) } };
  return { ok: true, dto };
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).concat(flatten(e.children ?? [])),
  );
}
