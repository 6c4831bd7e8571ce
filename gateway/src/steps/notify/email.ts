import { createHash } from 'node:crypto';
import { z } from 'zod';
import { jobDbFor } from '../../pipeline/job-queue';
import { defineStep, type StepConnectors } from '../define';

/** The delivery queue of the e-mail outbox (links/email.ts delivers it). */
export const EMAIL_QUEUE = 'link-email';

/** A UUID derived from the intent key: the same step of the same run is the same e-mail. */
export function emailIdOf(key: string): string {
  const h = createHash('sha256').update(`email:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * An e-mail into the outbox with its delivery job, in the run's transaction. The outbox row's id
 * comes from the run and step, so a re-run or replay never sends a second one.
 */
export function emailStep(connectors: StepConnectors) {
  return defineStep<{ to: string; subject: string; text: string; html?: string }, { emailId: string; queued: boolean }>({
    type: 'email.send',
    title: 'E-mail',
    summary: 'Send an e-mail through the outbox (captured in sandbox, SMTP when configured), once per run',
    category: 'notify',
    system: 'email',
    operation: 'email_outbox insert',
    exactlyOnce: 'local',
    input: z.object({ to: z.email(), subject: z.string().min(1).max(200), text: z.string().min(1).max(20_000), html: z.string().max(100_000).optional() }).strict(),
    async execute(input, env) {
      const trx = env.trx!;
      const id = emailIdOf(env.key);
      const escape = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      const inserted = await trx('email_outbox')
        .insert({ id, to_address: input.to, subject: input.subject, html: input.html ?? `<p>${escape(input.text).replace(/\n/g, '<br>')}</p>`, text: input.text, status: 'queued', requested_by: `flow:${env.flowId}` })
        .onConflict('id')
        .ignore()
        .returning('id');
      if (inserted.length) await connectors.queue().send(EMAIL_QUEUE, { emailId: id }, { db: await jobDbFor(trx), correlationId: env.correlationId });
      return { emailId: id, queued: inserted.length > 0 };
    },
  });
}
