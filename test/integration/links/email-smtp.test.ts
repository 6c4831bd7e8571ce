import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../gateway/src/errors';
import { deliverEmail, smtpSender, type OutboxRow } from '../../../gateway/src/links/email';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

/**
 * The SMTP sender through nodemailer against a real (minimal) SMTP server on a TCP port: what
 * arrives, a 5xx refusal (permanent, kept as failed), and the outbox row's state either way.
 */
interface Received {
  from: string;
  to: string[];
  data: string;
}

function startSmtp(options: { refuseRecipient?: RegExp } = {}): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let current: Received = { from: '', to: [], data: '' };
    let inData = false;
    let buffer = '';
    socket.write('220 test.local ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let at: number;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 2.0.0 queued as TEST1\r\n');
          } else current.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-test.local\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') {
          current.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          socket.write('250 2.1.0 ok\r\n');
        } else if (verb === 'RCPT') {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? '';
          if (options.refuseRecipient?.test(to)) socket.write('550 5.1.1 no such user\r\n');
          else {
            current.to.push(to);
            socket.write('250 2.1.5 ok\r\n');
          }
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 ok\r\n');
        else socket.write('502 not implemented\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        received,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}

describe('link e-mail over SMTP', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function outboxRow(to: string): Promise<string> {
    const id = crypto.randomUUID();
    await database.db('email_outbox').insert({ id, to_address: to, subject: 'Invoice 200001 from Northwind Supply Co.: $1,250.00 to pay', html: '<p>Pay <a href="https://pay.example.com/pay/x">here</a></p>', text: 'Pay here: https://pay.example.com/pay/x', status: 'queued', requested_by: 'test' });
    return id;
  }

  it('delivers the HTML + text message and marks the outbox row sent', async () => {
    const smtp = await startSmtp();
    try {
      const id = await outboxRow('ap@customer.example');
      await deliverEmail(database.db, smtpSender(`smtp://127.0.0.1:${smtp.port}`), id, 'Payments <payments@northwind.example>');
      expect(smtp.received).toHaveLength(1);
      const mail = smtp.received[0]!;
      expect(mail).toMatchObject({ from: 'payments@northwind.example', to: ['ap@customer.example'] });
      expect(mail.data).toMatch(/^Subject: Invoice 200001 from Northwind Supply Co\.: \$1,250\.00 to pay$/m);
      expect(mail.data).toMatch(/Content-Type: multipart\/alternative/);
      expect(mail.data).toMatch(/Content-Type: text\/plain/);
      expect(mail.data).toMatch(/Content-Type: text\/html/);
      const row = await database.db<OutboxRow>('email_outbox').where({ id }).first();
      expect(row).toMatchObject({ status: 'sent', attempts: 1, error: null });
      expect(row!.message_id).toMatch(/^<.+@.+>$/);
      // delivered once: a second run of the job does not send it again
      await deliverEmail(database.db, smtpSender(`smtp://127.0.0.1:${smtp.port}`), id, 'Payments <payments@northwind.example>');
      expect(smtp.received).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });

  it('keeps a refused recipient as failed (permanent, not retried) and an unreachable server as queued (retried)', async () => {
    const smtp = await startSmtp({ refuseRecipient: /nobody@/ });
    const refusedId = await outboxRow('nobody@customer.example');
    try {
      const err = await deliverEmail(database.db, smtpSender(`smtp://127.0.0.1:${smtp.port}`), refusedId, 'payments@northwind.example').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'EMAIL_REJECTED', errorClass: 'business' });
      expect(await database.db('email_outbox').where({ id: refusedId }).first()).toMatchObject({ status: 'failed' });
    } finally {
      await smtp.close();
    }
    const downId = await outboxRow('ap@customer.example');
    const down = await deliverEmail(database.db, smtpSender(`smtp://127.0.0.1:${smtp.port}`), downId, 'payments@northwind.example').catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'EMAIL_UNAVAILABLE', errorClass: 'transient' });
    expect(await database.db('email_outbox').where({ id: downId }).first()).toMatchObject({ status: 'queued', attempts: 1 });
  });
});
