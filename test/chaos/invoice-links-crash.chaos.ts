import knex from 'knex';
import { parseIonApi } from '../../gateway/src/infor/ionapi';
import { M3Client } from '../../gateway/src/infor/m3/m3-client';
import { InforTokenClient } from '../../gateway/src/infor/os/token-client';
import { ConnectorStatus } from '../../gateway/src/observability/connector-status';
import { freePort, GatewayProcess, startWorld, type SharedWorld } from './harness';

/**
 * Issue 22: the gateway is SIGKILLed after the invoice's payment link is made and before its
 * e-mail is written. The restarted gateway finishes the run: still one link, exactly one e-mail.
 *
 * The kill lands in that window every time, without sleeps: the test holds a lock on the e-mail
 * outbox, so the run stops at the e-mail step (its link committed); once the link is there the
 * gateway is killed, the lock released, and the gateway started again at the same address.
 */
describe('invoice-links: SIGKILL between the link and the e-mail', () => {
  let world: SharedWorld;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    world = await startWorld({
      config: {
        // the killed gateway's job comes back once expired (maintenance checks every second)
        queue: { expireInSeconds: 3, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.5, retryDelaySeconds: 0 },
        poller: { enabled: false },
        flows: { customerPullIntervalSeconds: 0, invoiceLinkReminderIntervalSeconds: 0 },
        admin: { alerts: { enabled: false } },
        shutdown: { graceMs: 2000 },
      },
    });
    gateway = new GatewayProcess(world, await freePort());
    await gateway.start();
    world.infor.setGatewayImsUrl(`${gateway.url}/ims`);
    // C10001 opts in to automatic links (CUSEXT A230 = Y), through the M3 API as an AR clerk would
    const credentials = parseIonApi(world.infor.ionapi);
    const status = new ConnectorStatus(['infor-os', 'm3', 'ion']);
    const m3 = new M3Client({ baseUrl: `${credentials.apiBaseUrl}/M3/m3api-rest`, tokens: new InforTokenClient({ credentials, allowInsecureHttp: true, status }), timeoutMs: 5_000, readRetries: 2, retryDelayMs: 10, status });
    await m3.execute('CUSEXTMI', 'AddFieldValue', { FILE: 'OCUSMA', PK01: 'C10001', A230: 'Y' }, { cono: 100, divi: 'AAA' });
  });

  afterAll(async () => {
    await gateway?.stop();
    await world?.stop();
  });

  it('one link and exactly one e-mail after the restart', async () => {
    const db = knex({ client: 'pg', connection: world.database.url, pool: { min: 0, max: 3 } });
    const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await probe();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${gateway.output().slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      // hold the outbox: the run will wait at its e-mail step, with the link already committed
      const holder = await db.transaction();
      await holder.raw('lock table email_outbox in exclusive mode');
      const invoice = (await (await fetch(`${world.infor.url}/_sim/m3/invoices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cuno: 'C10001', amount: '612.34' }) })).json()) as { ivno: number };
      const ivno = String(invoice.ivno);
      const link = await until('the link', async () => db('payment_links').where({ ivno }).first());
      expect(link).toMatchObject({ created_by: 'flow:invoice-links', amount: '612.34' });
      // the run is blocked on the outbox lock: kill the gateway in the middle of it
      await until('the run waiting on the outbox', async () => (await db.raw(`select count(*)::int as n from pg_locks where relation = 'email_outbox'::regclass and not granted`)).rows[0].n > 0);
      await gateway.kill();
      await holder.rollback();
      expect(await db('email_outbox').where({ link_id: link.id })).toHaveLength(0);

      await gateway.start();
      const record = await until('the invoice linked after the restart', async () => (await db('invoice_links').where({ ivno }).first())?.status === 'linked' && db('invoice_links').where({ ivno }).first());
      const links = await db('payment_links').where({ ivno });
      expect(links).toHaveLength(1);
      const emails = await db('email_outbox').where({ link_id: links[0].id });
      expect(emails).toHaveLength(1);
      expect(emails[0]).toMatchObject({ to_address: 'ap@acme.example', kind: 'link' });
      expect(record).toMatchObject({ link_id: links[0].id, email_id: emails[0].id });
      // the run really ran twice: the second found the link the first had made
      const intent = await db('intents').where('key', 'like', `invoice-link:100:AAA:%:${ivno}:%:link`).first();
      expect(intent).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(intent.result).toMatchObject({ linkId: link.id, reused: true });
      await until('the e-mail delivered', async () => (await db('email_outbox').where({ id: emails[0].id }).first())?.status === 'captured');
    } finally {
      await db.destroy();
    }
  });
});
