import {
  ArgumentMetadata,
  BadRequestException,
  HttpException,
  ValidationPipe,
} from '@nestjs/common';
import { unknownProperties, unknownPropertyMessages } from './unknown-properties';
import { validatedLaterProperties } from './validated-later.decorator';

/**
 * Nest's ValidationPipe (whitelist, forbidNonWhitelisted, transform) plus a check of the plain
 * object's own keys against the DTO's declared properties, made before class-transformer and
 * the pipe's prototype-key stripping can drop a key silently (see unknownProperties). An unknown
 * field is refused whatever its name, with the same message class-validator gives `foo`, merged
 * with any other validation messages of the same request. Properties marked @ValidatedLater()
 * reach the handler exactly as sent.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (!metatype || !this.toValidate(metadata) || !isPlainObject(value))
      return super.transform(value, metadata);
    const unknown = unknownPropertyMessages(unknownProperties(metatype, value));
    if (unknown.length > 0)
      throw new BadRequestException(await this.withOthers(unknown, value, metadata));
    const later = validatedLaterProperties(metatype).filter((p) => p in value);
    if (later.length === 0) return super.transform(value, metadata);
    // The pipe works on a copy of those properties, which it may strip and transform.
    const copy: Record<string, unknown> = { ...value };
    for (const property of later) copy[property] = structuredClone(value[property]);
    const instance = (await super.transform(copy, metadata)) as Record<string, unknown>;
    for (const property of later) instance[property] = value[property];
    return instance;
  }

  /** The unknown-field messages followed by whatever else the pipe finds wrong. */
  private async withOthers(
    unknown: string[],
    value: unknown,
    metadata: ArgumentMetadata,
  ): Promise<string[]> {
    try {
      await super.transform(value, metadata);
      return unknown;
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      return [...unknown, ...messagesOf(error).filter((m) => !unknown.includes(m))];
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messagesOf(error: HttpException): string[] {
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? (response as { message: unknown }).message
      : error.message;
  return Array.isArray(message) ? message.map(String) : [String(message)];
}
