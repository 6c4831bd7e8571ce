import { z } from 'zod';
import { defineStep } from '../define';

/** Our record of an M3 customer's PayTrace vault profile (what the sync did last). */
export const recordVaultStep = defineStep<{ cono: number; cuno: string; paytraceCustomerId: string; status: 'awaiting_card' | 'synced'; maskedCard?: string | null; contentHash?: string }, { status: string }>({
  type: 'ledger.record-vault',
  title: 'Record vault profile',
  summary: 'Keep our record of a customer\'s PayTrace vault profile: awaiting a card, or synced with its masked card',
  category: 'ledger',
  system: 'gateway',
  operation: 'vault_customers upsert',
  exactlyOnce: 'local',
  input: z.object({ cono: z.coerce.number().int().positive(), cuno: z.string().min(1).max(10), paytraceCustomerId: z.string().min(1), status: z.enum(['awaiting_card', 'synced']), maskedCard: z.string().nullable().optional(), contentHash: z.string().optional() }).strict(),
  async execute(input, env) {
    const db = env.trx!;
    const row = { cono: input.cono, cuno: input.cuno, paytrace_customer_id: input.paytraceCustomerId, status: input.status, masked_card: input.maskedCard ?? null, content_hash: input.contentHash ?? null };
    await db('vault_customers')
      .insert({ ...row, last_synced_at: db.fn.now() })
      .onConflict(['cono', 'cuno'])
      .merge({ status: row.status, masked_card: row.masked_card, content_hash: row.content_hash, last_synced_at: db.fn.now(), updated_at: db.fn.now() });
    return { status: input.status };
  },
});
