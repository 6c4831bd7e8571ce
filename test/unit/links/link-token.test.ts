import { createLinkSigner, idOfToken, newLinkId } from '../../../gateway/src/links/link-token';

describe('link tokens', () => {
  const signer = createLinkSigner(Buffer.from('k'.repeat(32)));
  const expiresAt = new Date('2026-12-10T09:00:00.000Z');
  const lookup = (id: string, at = expiresAt) => async (candidate: string) => (candidate === id ? at : undefined);

  it('makes 128-bit random ids that never repeat', () => {
    const ids = new Set(Array.from({ length: 2000 }, newLinkId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('verifies its own token and names the id', async () => {
    const id = newLinkId();
    const token = signer.sign(id, expiresAt);
    expect(token).toMatch(new RegExp(`^${id}\\.[A-Za-z0-9_-]{22}$`));
    await expect(signer.verify(token, lookup(id))).resolves.toBe(id);
  });

  it('refuses a changed signature, a changed id, another expiry, another key and malformed tokens', async () => {
    const id = newLinkId();
    const token = signer.sign(id, expiresAt);
    const [, sig] = token.split('.') as [string, string];
    // every single-character change of the signature, including the last one whose low bits base64url ignores
    for (let i = 0; i < sig.length; i++) {
      const changed = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
      await expect(signer.verify(`${id}.${changed}`, lookup(id))).resolves.toBeUndefined();
    }
    const otherId = newLinkId();
    await expect(signer.verify(`${otherId}.${sig}`, lookup(otherId))).resolves.toBeUndefined();
    await expect(signer.verify(token, lookup(id, new Date(expiresAt.getTime() + 86_400_000)))).resolves.toBeUndefined();
    await expect(createLinkSigner(Buffer.from('x'.repeat(32))).verify(token, lookup(id))).resolves.toBeUndefined();
    for (const bad of ['', id, `${id}.`, `${token}.x`, `${id}.${sig}=`, '../../etc/passwd', 'a'.repeat(45)]) {
      expect(idOfToken(bad)).toBeUndefined();
      await expect(signer.verify(bad, lookup(id))).resolves.toBeUndefined();
    }
  });

  it('answers "no link" for a well-formed token whose id the database does not know, asking once', async () => {
    const id = newLinkId();
    const token = signer.sign(id, expiresAt);
    const asked: string[] = [];
    const unknown = async (candidate: string) => {
      asked.push(candidate);
      return undefined;
    };
    await expect(signer.verify(token, unknown)).resolves.toBeUndefined();
    expect(asked).toEqual([id]);
  });

  it('takes an id and a signature of exactly 22 base64url characters, no more, no fewer', async () => {
    const id = newLinkId();
    const token = signer.sign(id, expiresAt);
    const [, sig] = token.split('.') as [string, string];
    expect(idOfToken(token)).toBe(id);
    for (const bad of [`A${id}.${sig}`, `${id}A.${sig}`, `${id.slice(1)}.${sig}`, `${id}.A${sig}`, `${id}.${sig}A`, `${id}.${sig.slice(1)}`, `${id.slice(0, -1)}+.${sig}`, `${id}.${sig.slice(0, -1)}/`]) {
      expect(idOfToken(bad)).toBeUndefined();
      // a longer id that still ends in the real one is not the real one
      await expect(signer.verify(bad, async () => expiresAt)).resolves.toBeUndefined();
    }
  });

  it('does not ask the database about a token of the wrong shape', async () => {
    const asked: string[] = [];
    await signer.verify("x'; drop table payment_links; --", async (candidate) => {
      asked.push(candidate);
      return expiresAt;
    });
    expect(asked).toEqual([]);
  });
});
