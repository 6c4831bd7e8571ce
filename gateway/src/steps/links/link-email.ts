import { z } from 'zod';
import { AppError } from '../../errors';
import { LINK_EMAIL_QUEUE, renderLinkEmail, renderReminderEmail } from '../../links/email';
import { getLink } from '../../links/link-store';
import { jobDbFor } from '../../pipeline/job-queue';
import { audit } from '../../store/audit';
import { defineStep, type StepConnectors } from '../define';
import { emailIdOf } from '../notify/email';

const input = z
  .object({
    linkId: z.string().min(1),
    to: z.email(),
    /** the first e-mail of the link, or a reminder (before the link expires / after the due date) */
    kind: z.enum(['link', 'before_expiry', 'after_due']).default('link'),
  })
  .strict();

/**
 * The link e-mail (or a reminder of it) into the outbox with its delivery job, in the run's
 * transaction. Its id comes from the run and the step, so a re-run — after a crash between the
 * link and the e-mail, or a replay — finds it there and sends no second one.
 */
export function linkEmailStep(connectors: StepConnectors) {
  return defineStep<z.output<typeof input>, { emailId: string; queued: boolean; to: string }>({
    type: 'links.email',
    title: 'Payment link e-mail',
    summary: 'E-mail a payment link (or a reminder of it) to the customer through the outbox, once per run',
    category: 'notify',
    system: 'email',
    operation: 'email_outbox insert (link e-mail)',
    exactlyOnce: 'local',
    input,
    async execute(value, env) {
      const trx = env.trx!;
      const { service, baseUrl, config } = await connectors.links();
      const link = await getLink(trx, value.linkId);
      if (!link) throw new AppError(`payment link ${value.linkId} does not exist`, { code: 'LINK_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
      const url = service.urlOf(link, baseUrl);
      const message = value.kind === 'link' ? renderLinkEmail(config, link, url, value.to) : renderReminderEmail(config, link, url, value.to, value.kind);
      const id = emailIdOf(env.key);
      const inserted = await trx('email_outbox')
        .insert({ id, link_id: link.id, kind: value.kind === 'link' ? 'link' : 'reminder', to_address: value.to, subject: message.subject, html: message.html, text: message.text, status: 'queued', requested_by: `flow:${env.flowId}` })
        .onConflict('id')
        .ignore()
        .returning('id');
      if (inserted.length) {
        await connectors.queue().send(LINK_EMAIL_QUEUE, { emailId: id }, { db: await jobDbFor(trx), correlationId: env.correlationId });
        await audit(trx, { actor: `flow:${env.flowId}`, action: value.kind === 'link' ? 'payment-link.email' : 'payment-link.reminder', subjectType: 'payment_link', subjectId: link.id, details: { emailId: id, kind: value.kind } });
      }
      return { emailId: id, queued: inserted.length > 0, to: value.to };
    },
  });
}
