/**
 * The steps of each flow as an operator reads them, keyed like the flows key their intents
 * (`<payment id>:<step>`). Display only: the replay preview and the trace use it to say what a
 * payment has done and what a replay would still run. When flows become data (mappings/flows/),
 * this list should come from the flow definitions.
 */
export interface StepInfo {
  /** the intent key after `<payment id>:`; `bod:` matches any announcement */
  key: string;
  title: string;
  system: 'paytrace' | 'm3' | 'ion' | 'webhook';
  /** this step moves money at PayTrace */
  money?: boolean;
}

export const FLOW_STEPS: Record<string, StepInfo[]> = {
  invoice_payment: [
    { key: 'sale', title: 'Card charged at PayTrace (pay page)', system: 'paytrace', money: true },
    { key: 'verify', title: 'Charge read back from PayTrace', system: 'paytrace' },
    { key: 'invoice', title: 'Invoice read from M3 (OIS350MI)', system: 'm3' },
    { key: 'receipt', title: 'Cash receipt on the invoice (ARS040MI)', system: 'm3' },
    { key: 'gl', title: 'GL batch posted (GLS840MI)', system: 'm3' },
    { key: 'bod:', title: 'Payment told to ION (Sync.MyPTPayment)', system: 'ion' },
  ],
  ecommerce_sale: [
    { key: 'verify', title: 'Storefront charge verified at PayTrace', system: 'paytrace' },
    { key: 'customer', title: 'Customer in M3 (CRS610MI)', system: 'm3' },
    { key: 'order', title: 'Customer order in M3 (OIS100MI)', system: 'm3' },
    { key: 'card-reference', title: 'Card reference on the order (CRCCINMI)', system: 'm3' },
    { key: 'gl', title: 'GL batch posted (GLS840MI)', system: 'm3' },
    { key: 'bod:', title: 'Payment told to ION (Sync.MyPTPayment)', system: 'ion' },
  ],
  refund: [
    { key: 'paytrace', title: 'Refund or void at PayTrace', system: 'paytrace', money: true },
    { key: 'receipt-reversal', title: 'Receipt reversed in M3 (ARS040MI)', system: 'm3' },
    { key: 'gl', title: 'Reversal GL batch posted (GLS840MI)', system: 'm3' },
    { key: 'bod:', title: 'Refund told to ION (Sync.MyPTPayment)', system: 'ion' },
  ],
};

/** Which step an intent key belongs to (`<payment id>:<step>`). */
export function stepOfIntent(flow: string, paymentId: string, key: string): StepInfo | undefined {
  const rest = key.startsWith(`${paymentId}:`) ? key.slice(paymentId.length + 1) : key;
  return (FLOW_STEPS[flow] ?? []).find((s) => (s.key.endsWith(':') ? rest.startsWith(s.key) : rest === s.key));
}
