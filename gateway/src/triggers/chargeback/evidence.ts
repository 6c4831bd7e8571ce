import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { AppError } from '../../errors';
import { getCustomer } from '../../infor/m3-programs/customers';
import { getInvoice } from '../../infor/m3-programs/invoices';
import type { GatewayServices } from '../../kernel/services';
import { maskCardNumbers } from '../../observability/redact';
import type { Payment } from '../../pipeline/ledger';
import { caseOr404, type CaseView } from './cases';

/**
 * The evidence pack of a dispute, assembled in one click: the case, the payment as PayTrace has it
 * (amount, time, card brand and last four, AVS/CSC results, approval code), our ledger record, the
 * M3 invoice and order, the customer and address as M3 has them, the payment link and its e-mails
 * (the link e-mail and the pay-page receipt). Each source that cannot be read says so in the pack
 * instead of failing it. No full card number can appear: PayTrace's exports are masked, and every
 * value is masked again before it is written.
 */

export interface EvidenceSection {
  title: string;
  rows: Array<[label: string, value: string]>;
  /** free text (an e-mail body), kept short */
  text?: string;
}

export interface Evidence {
  caseNumber: string;
  generatedAt: string;
  merchant: string;
  sections: EvidenceSection[];
}

const unavailable = (what: string, err: unknown) => [['Not available', `${what}: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`]] as Array<[string, string]>;
const present = (rows: Array<[string, string | number | null | undefined]>): Array<[string, string]> => rows.flatMap(([k, v]) => (v === undefined || v === null || v === '' ? [] : [[k, String(v)] as [string, string]]));

export async function gatherEvidence(services: GatewayServices, caseNumber: string): Promise<Evidence> {
  const c: CaseView = await caseOr404(services.db, caseNumber);
  if (!c.payment) {
    throw new AppError(`chargeback ${caseNumber} has no payment of ours (status ${c.status}): gather the evidence by hand`, { code: 'CHARGEBACK_EVIDENCE_UNAVAILABLE', errorClass: 'business', httpStatus: 409 });
  }
  const payment = (await services.db<Payment>('payments').where({ id: c.payment.id }).first())!;
  const scope = { cono: payment.cono ?? services.config.flows.company, divi: payment.divi ?? services.config.flows.division };
  const sections: EvidenceSection[] = [];
  sections.push({
    title: 'Dispute',
    rows: present([
      ['Case number', c.caseNumber], ['Status', c.status], ['Reason code', c.reasonCode], ['Reason', c.reason], ['Disputed amount', `${c.amount} ${c.currency}`],
      ['Chargeback fee', `${c.fee} ${c.currency}`], ['Received', c.receivedOn], ['Respond by', c.respondBy], ['PayTrace transaction', c.paytraceTransactionId],
    ]),
  });

  // the payment as PayTrace recorded it
  try {
    const tx = (await services.paytrace?.exportTransactionById(Number(c.paytraceTransactionId)))?.transactions[0];
    if (!tx) throw new Error('PayTrace has no such transaction (or PayTrace is not configured)');
    const raw = tx.raw;
    const card = (raw.credit_card ?? {}) as Record<string, unknown>;
    const masked = tx.maskedCardNumber ?? (typeof card.masked_number === 'string' ? card.masked_number : undefined);
    sections.push({
      title: 'Payment at PayTrace',
      rows: present([
        ['Transaction id', tx.transactionId], ['Type', tx.transactionType], ['Amount', tx.amount !== undefined ? `${String(tx.amount)} USD` : undefined], ['Date and time', tx.createdAt],
        ['Card', [typeof card.type === 'string' ? card.type : raw.card_type, masked ? `ending ${masked.slice(-4)}` : undefined].filter(Boolean).join(' ')],
        ['Approval code', tx.approvalCode], ['Approval message', typeof raw.approval_message === 'string' ? raw.approval_message : undefined],
        ['AVS result', typeof raw.avs_response === 'string' ? raw.avs_response : undefined], ['CSC result', typeof raw.csc_response === 'string' ? raw.csc_response : undefined],
        ['Invoice id sent', tx.invoiceId], ['Status', `${tx.statusMessage} (${tx.state})`], ['Settled', tx.settledAt], ['Batch', tx.batchNumber],
        ['Billing name', (raw.billing_address as { name?: string } | undefined)?.name], ['E-mail', typeof raw.email === 'string' ? raw.email : undefined],
      ]),
    });
  } catch (err) {
    sections.push({ title: 'Payment at PayTrace', rows: unavailable('the PayTrace export', err) });
  }

  sections.push({
    title: 'Our record of the payment',
    rows: present([
      ['Reference', payment.reference], ['Flow', payment.flow], ['Recorded', new Date(payment.created_at).toISOString()], ['Amount', `${payment.amount ?? ''} ${payment.currency ?? ''}`],
      ['M3 company/division', `${scope.cono}/${scope.divi}`], ['Customer (CUNO)', payment.cuno], ['Invoice (IVNO/YEA4)', payment.ivno ? `${payment.ivno}/${payment.yea4 ?? ''}` : undefined],
      ['Order (ORNO)', payment.orno], ['Storefront order', payment.storefront_order_id], ['GL batch (KEY1)', payment.gl_batch_key], ['Cash receipt (IRNO)', payment.receipt_ref ?? payment.reference],
    ]),
  });

  // M3: the invoice, its order, the customer and address
  const m3 = services.infor?.m3;
  if (m3 && payment.ivno && payment.yea4) {
    try {
      const inv = await getInvoice(m3, scope, payment.yea4, payment.ivno);
      sections.push({
        title: 'M3 invoice (OIS350MI)',
        rows: inv
          ? present([['Invoice', `${inv.ivno} / ${inv.yea4}`], ['Customer', inv.cuno], ['Payer', inv.payer], ['Invoice amount', `${inv.totalAmount} ${inv.currency}`], ['Open now', `${inv.openAmount} ${inv.currency}`], ['Due date', inv.dueDate], ['Order', inv.orno]])
          : [['Not available', 'M3 does not know the invoice']],
      });
    } catch (err) {
      sections.push({ title: 'M3 invoice (OIS350MI)', rows: unavailable('OIS350MI', err) });
    }
  }
  if (m3 && payment.cuno) {
    try {
      const cus = await getCustomer(m3, scope, payment.cuno);
      sections.push({
        title: 'Customer and address (CRS610MI)',
        rows: cus
          ? present([['Customer', `${payment.cuno} ${cus.CUNM ?? ''}`], ['Address', [cus.CUA1, cus.CUA2, cus.CUA3, cus.CUA4].filter(Boolean).join(', ')], ['City', [cus.TOWN, cus.ECAR, cus.PONO].filter(Boolean).join(' ')], ['Country', cus.CSCD], ['Phone', cus.PHNO], ['E-mail', cus.MAIL]])
          : [['Not available', 'M3 does not know the customer']],
      });
    } catch (err) {
      sections.push({ title: 'Customer and address (CRS610MI)', rows: unavailable('CRS610MI', err) });
    }
  }

  // the payment link, its e-mails and the pay-page receipt
  const link = await services.db('payment_links').where({ paid_payment_id: payment.id }).first<Record<string, unknown> | undefined>();
  if (link) {
    sections.push({
      title: 'Payment link',
      rows: present([['Link', `${String(link.id).slice(0, 8)}…`], ['Created', new Date(link.created_at as Date).toISOString()], ['Created by', link.created_by as string], ['Amount', `${String(link.amount)} ${String(link.currency)}`], ['Sent to', link.customer_email as string], ['Status', link.status as string]]),
    });
    const mails = await services.db('email_outbox').where({ link_id: link.id }).orderBy('created_at').select<Array<{ kind: string; to_address: string; subject: string; text: string; status: string; created_at: Date; sent_at: Date | null }>>('kind', 'to_address', 'subject', 'text', 'status', 'created_at', 'sent_at');
    for (const mail of mails) {
      sections.push({
        title: mail.kind === 'receipt' ? 'Pay-page receipt e-mail' : `E-mail (${mail.kind})`,
        rows: present([['To', mail.to_address], ['Subject', mail.subject], ['Sent', new Date(mail.sent_at ?? mail.created_at).toISOString()], ['Delivery', mail.status]]),
        text: mail.text.split(/\r?\n/).slice(0, 30).join('\n'),
      });
    }
  }
  return { caseNumber, generatedAt: new Date().toISOString(), merchant: services.config.links.merchantName, sections };
}

/** Helvetica speaks WinAnsi: anything else becomes '?'; card-like digit runs are masked. */
function printable(text: string): string {
  return maskCardNumbers(text).replace(/[^\x20-\x7E\xA0-\xFF]/g, '?');
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width) line = next;
      else {
        if (line) out.push(line);
        line = word;
        while (font.widthOfTextAtSize(line, size) > width && line.length > 1) {
          let cut = line.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
          out.push(line.slice(0, cut));
          line = line.slice(cut);
        }
      }
    }
    out.push(line);
  }
  return out;
}

/** The pack as a PDF (US Letter, Helvetica), for the operator to submit to PayTrace. */
export async function renderEvidencePdf(evidence: Evidence): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Chargeback ${evidence.caseNumber} evidence`);
  doc.setAuthor(evidence.merchant);
  doc.setCreator('m3-paytrace gateway');
  doc.setCreationDate(new Date(evidence.generatedAt));
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const [W, H, M] = [612, 792, 54];
  let page: PDFPage = doc.addPage([W, H]);
  let y = H - M;
  const need = (h: number) => {
    if (y - h < M) {
      page = doc.addPage([W, H]);
      y = H - M;
    }
  };
  const write = (text: string, f: PDFFont, size: number, x = M, color = rgb(0, 0, 0)) => {
    for (const line of wrap(printable(text), f, size, W - M - x)) {
      need(size + 4);
      page.drawText(line, { x, y: y - size, size, font: f, color });
      y -= size + 4;
    }
  };
  write(`Chargeback ${evidence.caseNumber} - evidence`, bold, 16);
  write(`${evidence.merchant} - assembled ${evidence.generatedAt}`, font, 9, M, rgb(0.35, 0.35, 0.35));
  y -= 8;
  for (const section of evidence.sections) {
    need(40);
    y -= 6;
    write(section.title, bold, 12);
    for (const [label, value] of section.rows) {
      const lines = wrap(printable(value), font, 10, W - M - (M + 150));
      need(14);
      page.drawText(printable(label), { x: M, y: y - 10, size: 10, font: bold });
      for (const line of lines) {
        need(14);
        page.drawText(line, { x: M + 150, y: y - 10, size: 10, font });
        y -= 14;
      }
    }
    if (section.text) {
      y -= 4;
      write(section.text, font, 9, M + 10, rgb(0.2, 0.2, 0.2));
    }
  }
  return doc.save();
}
