import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeSandboxInfo } from '../../gateway/src/runtime/sandbox-info';
import { ecommerceExample } from '../../scripts/example';
import { eventually } from '../helpers/gateway';
import { startStack, type Stack } from '../helpers/stack';

/**
 * `npm run example -- ecommerce`: the curl line it prints, run as printed by a shell, is accepted
 * by the gateway and becomes a completed storefront sale (order, card reference, GL) in M3.
 */
let stack: Stack;
let dataDir: string;
beforeAll(async () => {
  stack = await startStack({ config: { queue: { retryLimit: 1, retryDelaySeconds: 0 } } });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'm3pt-example-'));
  const secretFile = path.join(dataDir, 'ecommerce-webhook-secret.txt');
  writeFileSync(secretFile, stack.ecommerceSecret);
  await writeSandboxInfo(dataDir, { gateway: stack.gateway.url, paytrace: stack.paytrace.url, infor: stack.infor.url, ecommerceSecretFile: secretFile, startedAt: new Date().toISOString() });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('prints a curl line that works as printed: a real PayTrace sale, signed, accepted and posted to M3', async () => {
  const example = await ecommerceExample([], dataDir);
  expect(example.curl).toMatch(/^curl -sS -X POST '.+\/events\/ecommerce' -H 'content-type: application\/json' -H 'webhook-id: msg_[\w-]+' -H 'webhook-timestamp: \d+' -H 'webhook-signature: v1,[\w+/=]+' --data-raw '\{"type":"order.paid"/);
  const { stdout } = await promisify(execFile)('bash', ['-c', example.curl]);
  expect(JSON.parse(stdout)).toMatchObject({ accepted: true, duplicate: false });
  const orderId = (JSON.parse(example.body) as { data: { orderId: string } }).data.orderId;
  const payment = await eventually(async () => {
    const p = await stack.gateway.services.db('payments').where({ storefront_order_id: orderId }).first();
    return p?.status === 'completed' ? p : undefined;
  }, 30_000, 'storefront sale completed');
  expect(payment).toMatchObject({ flow: 'ecommerce_sale', amount: '149.9900' });
  // the same line again is the same event (webhook-id): accepted once
  expect(JSON.parse((await promisify(execFile)('bash', ['-c', example.curl])).stdout)).toMatchObject({ duplicate: true });
});

it('says how to start when no sandbox is running', async () => {
  await expect(ecommerceExample([], path.join(dataDir, 'nothing-here'))).rejects.toThrow(/no running sandbox found .*: start it with npm start, or give --gateway URL --secret whsec_/);
});
