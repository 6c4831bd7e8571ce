import { useEffect, useState } from 'react';
import { api } from '../api';
import { When } from '../components';
import { money } from '../format';

/** One invoice's automatic payment link story (issue 22): GET /admin/api/trace/invoices/:ivno */
interface InvoiceTrace {
  invoice: { company: number; division: string; year: number; number: string };
  automatic: { status: string; email: string | null; code: string | null; reason: string | null; paidHow: string | null } | null;
  links: Array<{ id: string; status: string; amount: string; currency: string; automatic: boolean; created_at: string; expires_at: string }>;
  emails: Array<{ id: string; kind: string; to_address: string; status: string; created_at: string }>;
  reminders: Array<{ id: string; kind: string; days: number; due_at: string; status: string; reason: string | null }>;
  runs: Array<{ id: string; source: string; kind: string; flow_id: string | null; status: string; error_code: string | null; received_at: string }>;
}

const REMINDER = { before_expiry: 'days before the link expires', after_due: 'days after the due date' } as Record<string, string>;

/** Shown under the trace search when the text is an invoice number the gateway knows. */
export function InvoiceLinksPanel({ ivno }: { ivno: string }) {
  const [traces, setTraces] = useState<InvoiceTrace[]>([]);
  useEffect(() => {
    if (!/^[0-9A-Za-z-]{1,15}$/.test(ivno)) return setTraces([]);
    api
      .get<{ invoices: InvoiceTrace[] }>(`/admin/api/trace/invoices/${encodeURIComponent(ivno)}`)
      .then((r) => setTraces(r.invoices))
      .catch(() => setTraces([]));
  }, [ivno]);
  return (
    <>
      {traces.map((t) => (
        <section key={`${t.invoice.company}-${t.invoice.division}-${t.invoice.year}`} className="card wide" data-testid="invoice-links-trace">
          <h2>
            Invoice {t.invoice.number} ({t.invoice.year}, {t.invoice.company}/{t.invoice.division}) · payment links
          </h2>
          <p className="muted">
            {t.automatic
              ? `Automatic link: ${t.automatic.status.replace('_', ' ')}${t.automatic.email ? ` · sent to ${t.automatic.email}` : ''}${t.automatic.code ? ` · ${t.automatic.code}: ${t.automatic.reason ?? ''}` : ''}${t.automatic.paidHow ? ` · paid ${t.automatic.paidHow === 'link' ? 'through the link' : 'another way'}` : ''}`
              : 'No automatic link (made by hand only, or the rules did not select it).'}
          </p>
          <table>
            <thead><tr><th>link</th><th>made</th><th>by</th><th>amount</th><th>status</th><th>expires</th></tr></thead>
            <tbody>
              {t.links.map((l) => (
                <tr key={l.id}><td>{l.id}</td><td><When iso={l.created_at} /></td><td>{l.automatic ? 'automatic' : 'by hand'}</td><td className="num">{money(l.amount, l.currency)}</td><td>{l.status}</td><td><When iso={l.expires_at} /></td></tr>
              ))}
            </tbody>
          </table>
          <h3>E-mails</h3>
          <ul>
            {t.emails.map((e) => (
              <li key={e.id}><When iso={e.created_at} /> · {e.kind === 'reminder' ? 'reminder' : 'the link'} to {e.to_address} · {e.status}</li>
            ))}
            {!t.emails.length && <li className="muted">none</li>}
          </ul>
          {t.reminders.length > 0 && (
            <>
              <h3>Reminders</h3>
              <ul>
                {t.reminders.map((r) => (
                  <li key={r.id}>{r.days} {REMINDER[r.kind] ?? r.kind} · <When iso={r.due_at} /> · {r.status}{r.reason ? ` (${r.reason})` : ''}</li>
                ))}
              </ul>
            </>
          )}
          <h3>Runs</h3>
          <ul>
            {t.runs.map((r) => (
              <li key={r.id}><When iso={r.received_at} /> · {r.kind} from {r.source} · {r.flow_id ?? ''} · {r.status}{r.error_code ? ` (${r.error_code})` : ''}</li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}
