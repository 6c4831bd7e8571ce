/**
 * `npm run example -- ecommerce [--send]`: a ready, signed storefront "order paid" event for the
 * gateway `npm start` is running (sandbox). It makes a real sale at the PayTrace simulator (the
 * storefront's part), builds the notification for that transaction, signs it with the sandbox's
 * Standard Webhooks secret, and prints the curl line that posts it (valid for 5 minutes, the
 * signature's tolerance) — or posts it itself with --send.
 *
 * Against other systems: --gateway URL --secret whsec_… --transaction-id N --amount 12.34.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { secret } from '../gateway/src/config/secret';
import { PayTraceClient } from '../gateway/src/paytrace/client';
import { PayTraceTransport } from '../gateway/src/paytrace/transport';
import { SANDBOX_FILE, type SandboxInfo } from '../gateway/src/runtime/sandbox-info';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function ecommerceExample(args: string[], dataDir = '.data'): Promise<{ url: string; headers: Record<string, string>; body: string; curl: string }> {
  let sandbox: SandboxInfo | undefined;
  try {
    sandbox = JSON.parse(readFileSync(path.join(dataDir, SANDBOX_FILE), 'utf8')) as SandboxInfo;
  } catch {
    sandbox = undefined;
  }
  const gateway = flag(args, '--gateway') ?? sandbox?.gateway;
  const whsec = flag(args, '--secret') ?? (sandbox?.ecommerceSecretFile ? readFileSync(sandbox.ecommerceSecretFile, 'utf8').trim() : undefined);
  if (!gateway || !whsec) throw new Error(`no running sandbox found (${path.join(dataDir, SANDBOX_FILE)}): start it with npm start, or give --gateway URL --secret whsec_…`);
  const orderId = `WEB-${randomUUID().slice(0, 8).toUpperCase()}`;
  let amount = flag(args, '--amount') ?? '149.99';
  let transactionId = flag(args, '--transaction-id');
  if (!transactionId) {
    if (!sandbox?.paytrace) throw new Error('give --transaction-id of a PayTrace sale (no sandbox PayTrace simulator to make one)');
    // the storefront's part: a real sale at the PayTrace simulator (test card), our order id as invoice_id
    const client = new PayTraceClient(new PayTraceTransport({ baseUrl: sandbox.paytrace, username: secret('demo123'), password: secret('demo123'), integratorId: 'M3PTSANDBOX1', timeoutMs: 30_000 }), { allowKeyedCard: true });
    const sale = await client.saleKeyed({ amount, invoiceId: orderId, card: { number: secret('4012000098765439'), expirationMonth: '12', expirationYear: '2030', csc: secret('999') } });
    if (!sale.approved || !sale.transactionId) throw new Error(`the PayTrace simulator did not approve the sale: ${sale.statusMessage}`);
    transactionId = String(sale.transactionId);
  } else amount = flag(args, '--amount') ?? amount;
  const event = {
    type: 'order.paid',
    timestamp: new Date().toISOString(),
    data: {
      orderId,
      paytraceTransactionId: transactionId,
      amount,
      currency: 'USD',
      customer: {
        storefrontId: 'shopper-1001',
        name: 'Dana Shopper',
        email: 'dana@example.com',
        address: { lines: ['1 Main Street'], city: 'Spokane', state: 'WA', postalCode: '99201', country: 'US' },
      },
      lines: [{ sku: 'ITM2000', quantity: '1', unitPrice: amount, description: 'Gadget' }],
    },
  };
  const body = JSON.stringify(event);
  const id = `msg_${randomUUID()}`;
  const timestamp = new Date();
  const signature = new Webhook(whsec).sign(id, timestamp, body);
  const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature };
  const url = `${gateway.replace(/\/$/, '')}/events/ecommerce`;
  const curl = ['curl -sS -X POST', shellQuote(url), ...Object.entries(headers).map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`), `--data-raw ${shellQuote(body)}`].join(' ');
  return { url, headers, body, curl };
}

async function main(): Promise<void> {
  const [what, ...args] = process.argv.slice(2);
  if (what !== 'ecommerce') {
    process.stderr.write('usage: npm run example -- ecommerce [--send] [--gateway URL --secret whsec_… --transaction-id N --amount 12.34]\n');
    process.exit(2);
  }
  const example = await ecommerceExample(args);
  if (args.includes('--send')) {
    const res = await fetch(example.url, { method: 'POST', headers: example.headers, body: example.body });
    process.stdout.write(`${res.status} ${await res.text()}\n`);
    process.exit(res.ok ? 0 : 1);
  }
  process.stdout.write(`# a signed storefront event for PayTrace sale ${JSON.parse(example.body).data.paytraceTransactionId}; valid for 5 minutes:\n${example.curl}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`example failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
