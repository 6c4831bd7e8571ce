import { useSyncExternalStore } from 'react';

/**
 * One way to show money, times and names everywhere in the app: amounts through Intl with their
 * currency (the exact decimal text is formatted, never a float sum), every time with its zone, in
 * the zone the operator chose (kept in this browser), and words for people instead of codes.
 */

const ZONE_KEY = 'm3pt.timeZone';
const listeners = new Set<() => void>();

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function currentZone(): string {
  const saved = window.localStorage.getItem(ZONE_KEY);
  return saved && isZone(saved) ? saved : browserZone();
}

export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function setZone(zone: string): void {
  window.localStorage.setItem(ZONE_KEY, zone);
  for (const l of listeners) l();
}

/**
 * The operator's zone; components re-render when it changes. An external store, so a component
 * that rendered just before a change (its effects not yet run) still sees it.
 */
export function useZone(): string {
  return useSyncExternalStore(subscribeZone, currentZone, () => 'UTC');
}

function subscribeZone(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => void listeners.delete(onChange);
}

export function zoneChoices(): string[] {
  const all = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([browserZone(), 'UTC', ...all])];
}

/** "$1,999.95" — the decimal text formatted as it is (Intl takes exact decimal strings). */
export function money(amount: string | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '–';
  const code = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
  const format = new Intl.NumberFormat('en-US', code ? { style: 'currency', currency: code } : { minimumFractionDigits: 2 });
  return (format.format as unknown as (value: string) => string)(amount);
}

/** "Dec 4, 2026, 10:15:03 AM CST" in the operator's zone */
export function time(iso: string | null | undefined, zone: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZone: zone, timeZoneName: 'short' }).format(d);
}

/** a chart bucket's label: hours or days in the operator's zone */
export function bucketLabel(iso: string, unit: 'minute' | 'hour' | 'day', zone: string): string {
  const d = new Date(iso);
  return unit === 'day'
    ? new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: zone }).format(d)
    : new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: zone }).format(d);
}

export const FLOW_LABELS: Record<string, string> = {
  ecommerce_sale: 'Storefront sale',
  invoice_payment: 'Pay-by-link invoice',
  customer_sync: 'Customer sync',
  refund: 'Refund',
  chargeback: 'Chargeback',
  paytrace_direct: 'PayTrace, outside the gateway',
};

export const STATE_LABELS: Record<string, string> = {
  completed: 'Completed',
  declined: 'Declined',
  charged_not_posted: 'Charged, not posted',
  failed: 'Failed',
  in_progress: 'In progress',
  outside: 'Outside the gateway',
};

export const ERROR_CLASS_LABELS: Record<string, string> = {
  transient: 'Temporary (retried)',
  business: 'Business rule',
  configuration: 'Configuration',
  bug: 'Bug',
};

export const SYSTEM_LABELS: Record<string, string> = {
  m3: 'M3',
  paytrace: 'PayTrace',
  ion: 'ION',
  webhook: 'Webhook',
  email: 'E-mail',
  inbox: 'Received',
  payment: 'Payment',
  event: 'Event',
  settlement: 'Settlement',
  dead_letter: 'Dead letter',
  chargeback: 'Chargeback',
  audit: 'Audit',
};

export const label = (table: Record<string, string>, key: string | null | undefined) => (key ? (table[key] ?? key) : '');
