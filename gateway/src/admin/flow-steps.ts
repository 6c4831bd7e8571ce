import { allSteps } from '../pipeline/definitions/compile';
import type { StepSystem } from '../pipeline/step-contract';
import type { FlowRegistry } from '../pipeline/versions/flow-registry';

/**
 * The steps of a payment's flow as an operator reads them, from the published flow definition
 * (mappings/flows/): the steps that touch another system, keyed like the runner keys their intents
 * (`<payment id>:<step id>`). The replay preview and the trace use it to say what a payment has
 * done and what a replay would still run.
 */
export interface StepInfo {
  /** the intent key after `<payment id>:` */
  key: string;
  title: string;
  system: StepSystem;
  /** this step moves money at PayTrace */
  money?: boolean;
}

/** The flow that works a payment of each ledger flow. */
const FLOW_OF_LEDGER: Record<string, string> = { invoice_payment: 'invoice-payment', ecommerce_sale: 'ecommerce-sale', refund: 'refund' };

/** What happens before the flow: the pay page's charge (its intent `<payment id>:sale`). */
const BEFORE_THE_FLOW: Record<string, StepInfo[]> = {
  invoice_payment: [{ key: 'sale', title: 'Card charged at PayTrace (pay page)', system: 'paytrace', money: true }],
};

export function flowSteps(flows: FlowRegistry | undefined, ledgerFlow: string): StepInfo[] {
  const published = flows?.published(FLOW_OF_LEDGER[ledgerFlow] ?? ledgerFlow);
  const steps = published ? allSteps(published.flow.steps).filter((s) => s.stepType && s.stepType.system !== 'none' && s.stepType.system !== 'gateway') : [];
  return [
    ...(BEFORE_THE_FLOW[ledgerFlow] ?? []),
    ...steps.map((s) => ({ key: s.id, title: titleOf(s.name, s.stepType!.system, s.operation), system: s.stepType!.system, money: s.stepType!.system === 'paytrace' && Boolean(s.stepType!.movesMoney) })),
  ];
}

/** The step's name, with the M3 program an operator looks for in M3 (`Cash receipt on the invoice (ARS040MI)`). */
function titleOf(name: string, system: string, operation: string): string {
  const program = system === 'm3' ? /^([A-Z0-9]{3,10}MI)\b/.exec(operation)?.[1] : undefined;
  return program && !name.includes(program) ? `${name} (${program})` : name;
}

/** Which step an intent key belongs to (`<payment id>:<step>`). */
export function stepOfIntent(steps: StepInfo[], paymentId: string, key: string): StepInfo | undefined {
  const rest = key.startsWith(`${paymentId}:`) ? key.slice(paymentId.length + 1) : key;
  return steps.find((s) => rest === s.key);
}
