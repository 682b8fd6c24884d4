import { validateBatchItem } from './batch-item.validator';

describe('validateBatchItem', () => {
  it('accepts a valid item with the defaults filled in and text trimmed', () => {
    const result = validateBatchItem({
      content_description: '  A lighthouse in the fog  ',
      style: 'casual',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body).toEqual({
      content_description: 'A lighthouse in the fog',
      style: 'casual',
      hashtag_count: 5,
      language: 'en',
      max_length: 2200,
    });
  });

  it.each([
    ['null', null],
    ['a string', 'not an object'],
    ['a number', 42],
    ['an array', [{ content_description: 'x', style: 'casual' }]],
    ['undefined', undefined],
  ])('refuses %s: each request must be an object', (_what, item) => {
    expect(validateBatchItem(item)).toEqual({
      ok: false,
      error: { statusCode: 400, message: ['each request must be an object'] },
    });
  });

  it('refuses unknown fields by name, prototype names included, together with the other problems', () => {
    const item = JSON.parse(
      '{"content_description":"x","style":"angry","extra":1,"toString":"y","__proto__":{}}',
    ) as unknown;
    const result = validateBatchItem(item);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.statusCode).toBe(400);
    expect([...result.error.message].sort()).toEqual([
      'property __proto__ should not exist',
      'property extra should not exist',
      'property toString should not exist',
      'style must be one of the following values: casual, professional, funny, inspirational, educational, promotional',
    ]);
  });

  it('lists every failed constraint of every field, as class-validator worded them', () => {
    const result = validateBatchItem({
      content_description: '',
      style: 'angry',
      hashtag_count: 31,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.statusCode).toBe(400);
    expect(result.error.message).toEqual([
      'content_description must be longer than or equal to 1 characters',
      expect.stringMatching(/^style must be one of the following values: casual, /),
      'hashtag_count must not be greater than 30',
    ]);
  });

  it('refuses a missing required field and a wrongly typed optional one', () => {
    const result = validateBatchItem({ style: 'casual', hashtag_count: 2.5 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toEqual([
      'content_description must be a string',
      'hashtag_count must be an integer number',
    ]);
  });
});
