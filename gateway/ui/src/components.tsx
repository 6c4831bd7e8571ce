import { useEffect, useState, type ReactNode } from 'react';
import { api, type FieldError } from './api';
import { label, money, STATE_LABELS, time, useZone } from './format';

/** Untrusted data shown as text: React escapes it; JSON stays readable. */
export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function Problem({ error }: { error?: { message: string; errors?: FieldError[] } }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <p>{error.message}</p>
      {error.errors && error.errors.length > 0 && (
        <ul>
          {error.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Card({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <section className={`card${wide ? ' wide' : ''}`}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A time in the operator's zone, with the zone named. */
export function When({ iso }: { iso: string | null | undefined }) {
  const zone = useZone();
  return <time dateTime={iso ?? undefined}>{time(iso, zone)}</time>;
}

/** A payment state as a coloured badge (colour and words: never colour alone). */
export function StateBadge({ state }: { state: string | null | undefined }) {
  if (!state) return null;
  return <span className={`badge state-${state}`}>{label(STATE_LABELS, state)}</span>;
}

interface Step { key: string; title: string; status: string; error?: string | null }
interface Preview {
  deadLetter: { id: string; queue: string; status: string; errorCode: string; errorMessage: string };
  payment: { reference: string; ivno: string | null; cuno: string | null; amount: string | null; currency: string | null; state: string } | null;
  customerCharged: boolean;
  done: Step[];
  willRun: Step[];
  notes: string[];
}

/**
 * Replay one dead letter: what will run and what is already done, a required reason, and a
 * confirmation. The Replay button stays disabled until a reason is typed.
 */
export function ReplayPanel({ deadLetterId, onDone, onCancel }: { deadLetterId: string; onDone: (message: string) => void; onCancel: () => void }) {
  const [preview, setPreview] = useState<Preview>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.get<Preview>(`/admin/api/dead-letters/${encodeURIComponent(deadLetterId)}/preview`).then(setPreview, (err: unknown) => setError(err as Error));
  }, [deadLetterId]);
  const replay = async () => {
    setBusy(true);
    try {
      const result = await api.post<{ replayed: string[]; skipped: string[] }>('/admin/api/dead-letters/replay', { ids: [deadLetterId], reason });
      onDone(result.replayed.length ? `Replayed dead letter ${deadLetterId}.` : `Dead letter ${deadLetterId} was no longer open; nothing replayed.`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const ready = reason.trim().length >= 3;
  return (
    <section className="card wide replay" role="dialog" aria-labelledby={`replay-${deadLetterId}`} data-testid="replay-preview">
      <h2 id={`replay-${deadLetterId}`}>Replay dead letter {deadLetterId}?</h2>
      <Problem error={error} />
      {preview && (
        <>
          <p>
            {preview.deadLetter.errorCode}: {preview.deadLetter.errorMessage}
          </p>
          {preview.payment && (
            <p>
              Payment {preview.payment.reference} · invoice {preview.payment.ivno ?? '–'} · customer {preview.payment.cuno ?? '–'} · {money(preview.payment.amount, preview.payment.currency)} <StateBadge state={preview.payment.state} />
              {preview.customerCharged && <strong className="charged"> · customer was charged</strong>}
            </p>
          )}
          <div className="columns">
            <div>
              <h3>Already done (not run again)</h3>
              <ul className="steps">{preview.done.length ? preview.done.map((s) => <li key={s.key} className="done">✓ {s.title}</li>) : <li className="muted">nothing yet</li>}</ul>
            </div>
            <div>
              <h3>Will run</h3>
              <ul className="steps">{preview.willRun.length ? preview.willRun.map((s) => <li key={s.key} className={s.status}>▶ {s.title}{s.error ? ` (last: ${s.error})` : ''}</li>) : <li className="muted">the job, from its payload</li>}</ul>
            </div>
          </div>
          <ul className="notes">{preview.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>
        </>
      )}
      <div className="toolbar actions">
        <label>
          Reason (required) <input value={reason} onChange={(e) => setReason(e.target.value)} aria-label="replay reason" size={40} placeholder="what was fixed" />
        </label>
        <button type="button" className="primary" disabled={!ready || busy || preview?.deadLetter.status !== 'open'} onClick={() => void replay()}>
          Replay
        </button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </section>
  );
}
