import { GenerateCaptionDto } from '../captions/dto/generate-caption.dto';
import { validateBatchItem } from './batch-item.validator';

describe('validateBatchItem', () => {
  it('accepts a valid item as a GenerateCaptionDto with the defaults filled in and text trimmed', async () => {
    const result = await validateBatchItem({
      content_description: '  A lighthouse in the fog  ',
      style: 'casual',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.dto).toBeInstanceOf(GenerateCaptionDto);
    expect(result.dto).toMatchObject({
      content_description: 'A lighthouse in the fog',
      style: 'casual',
      hashtag_count: 5,
      language: 'en',
    });
  });

  it.each([
    ['null', null],
    ['a string', 'not an object'],
    ['a number', 42],
    ['an array', [{ content_description: 'x', style: 'casual' }]],
    ['undefined', undefined],
  ])('refuses %s: each request must be an object', async (_what, item) => {
    await expect(validateBatchItem(item)).resolves.toEqual({
      ok: false,
      error: { statusCode: 400, message: ['each request must be an object'] },
    });
  });

  it('refuses unknown fields by name, prototype names included, before validating the rest', async () => {
    const item = JSON.parse(
      '{"content_description":"x","style":"casual","extra":1,"toString":"y","__proto__":{}}',
    ) as unknown;
    const result = await validateBatchItem(item);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.statusCode).toBe(400);
    expect([...result.error.message].sort()).toEqual([
      'property __proto__ should not exist',
      'property extra should not exist',
      'property toString should not exist',
    ]);
  });

  it('lists every failed constraint of every field, as the ValidationPipe does', async () => {
    const result = await validateBatchItem({
      content_description: '',
      style: 'angry',
      hashtag_count: 31,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.statusCode).toBe(400);
    expect(result.error.message).toEqual(
      expect.arrayContaining([
        expect.stringContaining('content_description'),
        expect.stringContaining('style'),
        expect.stringContaining('hashtag_count'),
      ]),
    );
    expect(result.error.message).toHaveLength(3);
  });

  it('refuses a missing required field and a wrongly typed optional one', async () => {
    const result = await validateBatchItem({ style: 'casual', hashtag_count: 2.5 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message.some((m) => m.startsWith('content_description'))).toBe(true);
    expect(result.error.message).toContain('hashtag_count must be an integer number');
  });
});
