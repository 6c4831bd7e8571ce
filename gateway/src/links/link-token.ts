import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A link's public token is `<id>.<signature>`: the id is 128 random bits (unguessable on its
 * own), the signature an HMAC over the id and its expiry, so a token that was altered, or that
 * names another expiry, is refused before the database is asked.
 */
export interface LinkSigner {
  sign(id: string, expiresAt: Date): string;
  /** the id when the token's signature matches the id and this expiry */
  verify(token: string, expiresAt: (id: string) => Promise<Date | undefined>): Promise<string | undefined>;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function newLinkId(): string {
  return randomBytes(16).toString('base64url');
}

/** The id part of a token, when it has the shape of one (cheap pre-check, not a verification). */
export function idOfToken(token: string): string | undefined {
  const [id, signature, extra] = token.split('.');
  if (extra !== undefined || !id || !signature || !ID_PATTERN.test(id) || !SIGNATURE_PATTERN.test(signature)) return undefined;
  return id;
}

export function createLinkSigner(key: Buffer): LinkSigner {
  const mac = (id: string, expiresAt: Date) => createHmac('sha256', key).update(`${id}.${expiresAt.getTime()}`).digest().subarray(0, 16);
  return {
    sign: (id, expiresAt) => `${id}.${mac(id, expiresAt).toString('base64url')}`,
    async verify(token, expiresAtOf) {
      const id = idOfToken(token);
      if (!id) return undefined;
      const expiresAt = await expiresAtOf(id);
      if (!expiresAt) return undefined;
      // compare the text, not decoded bytes: base64url's last character carries ignored bits
      const given = Buffer.from(token.split('.')[1]!);
      const expected = Buffer.from(mac(id, expiresAt).toString('base64url'));
      // both are 22 characters (the pattern above, 16 bytes of MAC), as timingSafeEqual requires
      return timingSafeEqual(given, expected) ? id : undefined;
    },
  };
}
