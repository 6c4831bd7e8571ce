import { secret } from '../../gateway/src/config/secret';
import { PayTraceClient } from '../../gateway/src/paytrace/client';
import { PayTraceTransport } from '../../gateway/src/paytrace/transport';

/** Sandbox test card (PayTrace's documented Visa) — simulator tests only. */
export const TEST_VISA = { number: secret('4012000098765439'), expirationMonth: '12', expirationYear: '2030', csc: secret('999') };

/**
 * A PayTrace client for a simulator, able to make keyed charges: tests use it to create
 * transactions "outside" the gateway (as a storefront or the virtual terminal would).
 */
export function storefrontPayTraceClient(baseUrl: string): PayTraceClient {
  const transport = new PayTraceTransport({ baseUrl, username: secret('demo123'), password: secret('demo123'), integratorId: '9TEST0000001', timeoutMs: 10_000 });
  return new PayTraceClient(transport, { allowKeyedCard: true });
}
