import { Secret } from '../../../gateway/src/config';
import { loadSigningKey } from '../../../gateway/src/links/link-store';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

/** The link signing key: configured, or made once in the database and shared by every instance. */
describe('link signing key', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('uses the configured secret as it is, and stores nothing', async () => {
    const key = await loadSigningKey(t.db, new Secret('a configured secret of enough length'));
    expect(key.toString('utf8')).toBe('a configured secret of enough length');
    expect(await t.db('payment_link_keys').count<Array<{ n: string }>>({ n: '*' })).toEqual([{ n: '0' }]);
  });

  it('without one, makes a random 32-byte key once; every later caller (another instance) gets the same', async () => {
    const first = await loadSigningKey(t.db, undefined);
    expect(first).toHaveLength(32);
    const [second, third] = await Promise.all([loadSigningKey(t.db, undefined), loadSigningKey(t.db, undefined)]);
    expect(second.equals(first)).toBe(true);
    expect(third.equals(first)).toBe(true);
    const rows = await t.db('payment_link_keys').select('id', 'secret');
    expect(rows).toEqual([{ id: 1, secret: first.toString('base64') }]);
  });
});
