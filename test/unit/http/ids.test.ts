import { isSafeId, safeIdOr } from '../../../gateway/src/http/ids';

describe('caller-given ids (X-Request-Id, X-Correlation-Id)', () => {
  it.each([
    ['809c4242-4242-4242-4242-424242424242', 'a UUID'],
    ['ord-2026-000123', 'an order reference'],
    ['ion:lid.infor.ims-1', 'with a colon'],
    ['123456789012', '12 digits'],
    ['4242-4242-4242-4243', 'linked digit groups that are not Luhn-valid'],
  ])('keeps %s (%s)', (id) => {
    expect(isSafeId(id)).toBe(true);
    expect(safeIdOr(id)).toBe(id);
  });

  it.each([
    ['4242424242424242', 'a card number'],
    ['4242-4242-4242-4242', 'a card number with dashes'],
    ['x.4242.4242.4242.4242', 'a card number split by dots'],
    ['1234567890123', 'any 13 digits in a row'],
    ['<script>', 'markup'],
    ['a'.repeat(129), 'too long'],
    ['', 'empty'],
    ['a b', 'a space'],
  ])('replaces %s (%s) with a UUID of ours', (id) => {
    expect(isSafeId(id)).toBe(false);
    expect(safeIdOr(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
