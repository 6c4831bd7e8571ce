import type { Secret } from '../../config/secret';

/**
 * A card typed in clear. Exists ONLY so the simulator's own tests can run keyed
 * operations: the gateway never accepts or forwards card numbers (Protect fields do that),
 * and the client refuses keyed operations unless built with `allowKeyedCard`.
 */
export interface KeyedCard {
  number: Secret;
  /** "1".."12" or "01".."12" */
  expirationMonth: string;
  /** four digits */
  expirationYear: string;
  csc?: Secret;
}

/** PayTrace Protect tokens from the browser (`instance.process()` → message.hpf_token / enc_key). */
export interface ProtectTokens {
  hpfToken: Secret;
  encKey: Secret;
}

export function cardToWire(card: KeyedCard): { credit_card: Record<string, unknown>; csc?: Secret } {
  // csc sits at the top level of the body, not inside credit_card (reference §4.1)
  return {
    credit_card: { number: card.number, expiration_month: card.expirationMonth, expiration_year: card.expirationYear },
    ...(card.csc ? { csc: card.csc } : {}),
  };
}

export function protectToWire(tokens: ProtectTokens): Record<string, unknown> {
  return { hpf_token: tokens.hpfToken, enc_key: tokens.encKey };
}
