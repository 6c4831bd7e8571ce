import client from 'prom-client';
import { intentOutcomeListeners, type IntentOutcome } from '../pipeline/intents';
import { paymentTransitionListeners, type PaymentTransition } from '../pipeline/ledger';

/**
 * Business metrics for Prometheus, fed by the ledger and intent hooks. Labels are closed sets
 * (flow, step, status, system, operation, outcome, error class): never a business id.
 * Answers the function that unhooks them (gateway stop).
 */
export function installBusinessMetrics(registry: client.Registry): () => void {
  const transitions = new client.Counter({
    name: 'm3pt_payment_transitions_total',
    help: 'Payment status changes, by flow, the step that made them and the new status',
    labelNames: ['flow', 'step', 'status'] as const,
    registers: [registry],
  });
  const intents = new client.Counter({
    name: 'm3pt_side_effects_total',
    help: 'External side effects (intents) by system, operation and outcome (succeeded, found_by_lookup, failed, unknown) and error class',
    labelNames: ['system', 'operation', 'outcome', 'error_class'] as const,
    registers: [registry],
  });
  const onTransition = (t: PaymentTransition) => transitions.inc({ flow: t.flow, step: t.step, status: t.to });
  const onOutcome = (o: IntentOutcome) => intents.inc({ system: o.system, operation: o.operation, outcome: o.outcome, error_class: o.errorClass ?? 'none' });
  paymentTransitionListeners.add(onTransition);
  intentOutcomeListeners.add(onOutcome);
  return () => {
    paymentTransitionListeners.delete(onTransition);
    intentOutcomeListeners.delete(onOutcome);
  };
}
