import { randomUUID } from 'node:crypto';
import { evaluateRules, startAlertEvaluator } from '../../../gateway/src/admin/alerts';
import { adminModule } from '../../../gateway/src/admin/module';
import { linksModule } from '../../../gateway/src/links/module';
import { recordDeadLetter } from '../../../gateway/src/pipeline/dead-letters';
import { openPayment, updatePayment } from '../../../gateway/src/pipeline/ledger';
import { eventually } from '../../helpers/gateway';
import { startStack, type Stack } from '../../helpers/stack';
import { adminCall, sessionWithRoles } from './sign-in';

/**
 * Alert rules on a real database: each rule raises one alert per subject while it fires (repeats
 * only count), each new alert is e-mailed once through the gateway's e-mail outbox (delivered by
 * the payment-link mailer's worker), and alerts resolve when the rule stops firing.
 */
let stack: Stack;
let evaluator: ReturnType<typeof startAlertEvaluator>;

beforeAll(async () => {
  stack = await startStack({
    modules: [linksModule(), adminModule()],
    config: { admin: { alerts: { enabled: false, dlqGrowth: 2, dlqWindowMinutes: 15, declineMinSample: 4, declineRatio: 0.5, recipients: ['ops@example.com', 'oncall@example.com'] } } },
  });
  const s = stack.gateway.services;
  evaluator = startAlertEvaluator(s.db, s.queue, s.config, { connectors: s.connectors, startedAt: s.startedAt, logger: s.logger });
});
afterAll(async () => {
  await evaluator.stop();
  await stack.stop();
});

const db = () => stack.gateway.services.db;
const openAlerts = () => db()('alerts').where({ status: 'open' }).orderBy('id');

it('raises one alert for dead-letter growth, counts repeats and e-mails each recipient once', async () => {
  for (let i = 0; i < 2; i++) {
    await recordDeadLetter(db(), { queue: 'invoice-payment', jobId: randomUUID(), payload: {}, errorClass: 'transient', errorCode: 'M3_UNAVAILABLE', errorMessage: 'down', attempts: 3 });
  }
  await evaluator.tick();
  await evaluator.tick();
  const [alert] = await openAlerts();
  expect(alert).toMatchObject({ rule: 'dlq_growth', severity: 'critical', occurrences: 2, message: '2 dead letters in the last 15 minutes' });
  const mails = await db()('email_outbox').where({ requested_by: `alert:${alert.id}` }).orderBy('to_address');
  expect(mails.map((m: { to_address: string }) => m.to_address)).toEqual(['oncall@example.com', 'ops@example.com']);
  // the outbox's worker delivers them (sandbox: captured as real RFC 5322 messages)
  await eventually(async () => (await db()('email_outbox').where({ requested_by: `alert:${alert.id}`, status: 'captured' })).length === 2, 15_000, 'alert e-mails delivered');
  const [captured] = await db()('email_outbox').where({ requested_by: `alert:${alert.id}` });
  expect(captured.raw).toContain('Subject: [m3-paytrace critical] 2 dead letters in the last 15 minutes');

  const viewer = await sessionWithRoles(db(), ['viewer']);
  const listed = await adminCall(stack.gateway.url, viewer, 'GET', '/admin/api/alerts?status=open');
  expect((listed.json.alerts as Array<{ rule: string }>).map((a) => a.rule)).toContain('dlq_growth');
});

it('raises connector-down per connector and resolves it when the connector answers again', async () => {
  stack.gateway.services.connectors.record('m3', false, 'M3_UNAVAILABLE: HTTP 503');
  await evaluator.tick();
  expect((await openAlerts()).map((a: { dedupe_key: string }) => a.dedupe_key)).toContain('connector_down:m3');
  stack.gateway.services.connectors.record('m3', true);
  await evaluator.tick();
  const resolved = await db()('alerts').where({ dedupe_key: 'connector_down:m3' }).first();
  expect(resolved).toMatchObject({ status: 'resolved' });
  expect(resolved.resolved_at).toBeInstanceOf(Date);
  // firing again later is a new alert (and a new e-mail), not a reopened one
  stack.gateway.services.connectors.record('m3', false, 'again');
  await evaluator.tick();
  expect(await db()('alerts').where({ dedupe_key: 'connector_down:m3' })).toHaveLength(2);
  stack.gateway.services.connectors.record('m3', true);
});

it('raises a decline spike only above the ratio with enough attempts', async () => {
  const pay = async (declined: boolean) => {
    const { payment } = await openPayment(db(), { flow: 'ecommerce_sale', reference: `WEB-${randomUUID()}`, status: 'received', correlationId: randomUUID() });
    await updatePayment(db(), payment.id, { status: declined ? 'failed' : 'completed', step: 'charge', fields: declined ? { last_error_code: 'PAYMENT_DECLINED' } : {} });
  };
  await pay(true);
  await pay(true);
  await pay(false);
  const settings = stack.gateway.services.config.admin.alerts;
  const context = { connectors: stack.gateway.services.connectors, pollerEnabled: false, startedAt: new Date() };
  expect((await evaluateRules(db(), settings, context)).map((f) => f.rule)).not.toContain('decline_spike'); // 3 < minimum sample of 4
  await pay(false);
  const firing = await evaluateRules(db(), settings, context);
  expect(firing.find((f) => f.rule === 'decline_spike')).toMatchObject({ message: '2 of 4 card payments declined in the last 30 minutes (pay page, storefront and PayTrace)', detail: { ratio: 0.5 } });
});

it('counts pay-page declines (status declined) the way the dashboard does: card testing on the public page raises it', async () => {
  await db()('payments').del();
  for (let i = 0; i < 4; i++) {
    await openPayment(db(), { flow: 'invoice_payment', reference: `PL-test-${randomUUID()}`, status: 'declined', correlationId: randomUUID(), fields: { paytrace_transaction_id: String(900000 + i), last_error_code: 'PAYMENT_DECLINED' } });
  }
  await openPayment(db(), { flow: 'invoice_payment', reference: `PL-test-${randomUUID()}`, status: 'completed', correlationId: randomUUID(), fields: { paytrace_transaction_id: '900100' } });
  const settings = stack.gateway.services.config.admin.alerts;
  const firing = await evaluateRules(db(), settings, { connectors: stack.gateway.services.connectors, pollerEnabled: false, startedAt: new Date() });
  expect(firing.find((f) => f.rule === 'decline_spike')).toMatchObject({ detail: { total: 5, declined: 4, ratio: 0.8 } });
});

it('raises poller lag when the PayTrace poller has not passed for too long', async () => {
  const settings = { ...stack.gateway.services.config.admin.alerts, pollerLagSeconds: 60 };
  const startedLongAgo = new Date(Date.now() - 10 * 60_000);
  const context = { connectors: stack.gateway.services.connectors, pollerEnabled: true, startedAt: startedLongAgo };
  expect((await evaluateRules(db(), settings, context)).map((f) => f.rule)).toContain('poller_lag');
  await db()('poller_state').insert({ name: 'paytrace-transactions', high_water_mark: new Date() });
  expect((await evaluateRules(db(), settings, context)).map((f) => f.rule)).not.toContain('poller_lag');
});
