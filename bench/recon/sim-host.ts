/**
 * The simulators of the reconciliation benchmark in a process of their own (as PayTrace and M3
 * are in production), with the dataset written straight into their in-memory state: 100,000
 * sales and 300,000 MI writes through HTTP would take far longer than the run being measured.
 * Usage: node --import tsx bench/recon/sim-host.ts <N> <ionapi file>; prints one JSON line.
 */
import { startInforSimulator } from '../../simulators/infor';
import { startPayTraceSimulator } from '../../simulators/paytrace';
import { makeCard } from '../../simulators/paytrace/state';
import { dataset as d, PER_BATCH } from './data';

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  const ionapiFile = process.argv[3]!;
  const paytrace = await startPayTraceSimulator({ settleAt: null });
  const infor = await startInforSimulator();
  await infor.writeIonapiFile(ionapiFile);
  const now = paytrace.context.clock.now();
  const m3Day = now.toISOString().slice(0, 10).replace(/-/g, '');
  const card = makeCard('4012000098765439', 12, 2030);
  const pt = paytrace.context.state;
  const m3 = infor.state().m3;
  for (let i = 0; i < n; i++) {
    const cents = d.cents(i);
    const cuno = d.customer(i);
    const ivno = d.invoice(i);
    pt.transactions.set(d.transactionId(i), {
      id: d.transactionId(i), type: 'SALE', method: 'pt_protect', amountCents: cents, refundedCents: 0, status: 'settled', responseCode: 101, approvalCode: 'TAS100',
      approvalMessage: '  NO  MATCH - Approved and completed', avsResponse: 'No Match', cscResponse: '', card, invoiceId: d.reference(i), createdAt: now, settledAt: now, batchNumber: d.batchNumber(i),
    });
    if (i % PER_BATCH === 0) pt.batches.push({ number: d.batchNumber(i), settledAt: now, transactionIds: [] });
    pt.batches[pt.batches.length - 1]!.transactionIds.push(d.transactionId(i));
    m3.invoices.push({ divi: 'AAA', yea4: 2026, ivno, cuno, pyno: cuno, cucd: 'USD', amountCents: cents, paidCents: cents, ivdt: m3Day, dudt: m3Day, orno: '', tepy: '30', pycd: 'CC', vono: i, jrno: 1, jsno: i, arat: '1.000000' });
    if (d.hasReceipt(i)) m3.receipts.push({ pbid: 3_000_000 + i, trno: 1, divi: 'AAA', cino: String(ivno), inyr: 2026, cuno, pyno: cuno, cucd: 'USD', amountCents: d.receiptCents(i), irno: d.reference(i), lpdt: m3Day, overpaymentCents: 0 });
    if (d.hasGl(i)) m3.glBatches.set(d.glKey(i), { key1: d.glKey(i), intn: 'PAYTRACE', desc: `PayTrace sale ${d.reference(i)}`, divi: 'AAA', status: '90', lines: [], debitCents: cents, creditCents: cents, yea4: 2026, vono: i });
  }
  console.log(JSON.stringify({ paytraceUrl: paytrace.url, inforUrl: infor.url, day: now.toISOString().slice(0, 10) }));
  const stop = async () => {
    await infor.close();
    await paytrace.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop()); // the bench went away
  process.stdin.resume();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
