/**
 * Chargebacks (disputes), pure: where a case stands at the processor, and the references of the
 * ledger payments that move its money.
 *
 * `received`: the funds are taken from the merchant; `evidence_submitted`: the merchant answered;
 * `won`: the funds come back; `lost`/`accepted`: they stay taken. `review` (a case state, not a
 * stage): the disputed transaction is not one of ours.
 */
export const CHARGEBACK_STAGES = ['received', 'evidence_submitted', 'won', 'lost', 'accepted'] as const;
export type ChargebackStage = (typeof CHARGEBACK_STAGES)[number];

export const CASE_STATUSES = [...CHARGEBACK_STAGES, 'review'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The reference of the ledger payment that books a chargeback (`CB-<case>`) and of its reversal when won (`CBW-<case>`); both fit M3's IRNO (30). */
export const chargebackReference = (caseNumber: string, won = false) => `${won ? 'CBW' : 'CB'}-${caseNumber}`;
