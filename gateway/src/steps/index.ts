import type { AnyStepType, StepCatalogue } from '../pipeline/step-contract';
import { NO_CONNECTORS, type StepConnectors } from './define';
import { publishPaymentStep } from './ion/publish-payment';
import { recordChargebackCaseStep } from './ledger/chargeback';
import { openPaymentStep, usePaymentStep } from './ledger/open-payment';
import { findPaymentStep, refundedSoFarStep, requireUnusedTransactionStep, updatePaymentStep } from './ledger/payments';
import { applyPayTraceStateStep } from './ledger/paytrace-state';
import { recordVaultStep } from './ledger/vault';
import { findInvoiceLinkStep, recordInvoiceLinkStep } from './ledger/invoice-links';
import { createLinkStep } from './links/create-link';
import { linkEmailStep } from './links/link-email';
import { qualifyInvoiceStep } from './logic/qualify-invoice';
import { getCustomerStep } from './m3/get-customer';
import { mapStep } from './logic/map';
import { failStep, requireStep } from './logic/require';
import { m3CallStep } from './m3/call';
import { convertCurrencyStep } from './m3/convert-currency';
import { ensureCustomerStep, writeVaultReferenceStep } from './m3/customer';
import { glPostStep } from './m3/gl-post';
import { cashReceiptStep, getInvoiceStep } from './m3/invoice';
import { addCardReferenceStep, createOrderStep } from './m3/order';
import { emailStep } from './notify/email';
import { webhookStep } from './notify/webhook';
import { findCustomerStep, updateCustomerStep } from './paytrace/customer';
import { getTransactionStep } from './paytrace/get-transaction';
import { refundStep, voidStep } from './paytrace/refund';

export type { StepConnectors } from './define';
export { flowFunctions } from '../pipeline/functions';

/**
 * The step catalogue: every step type a flow definition may use, each with its system, operation,
 * input schema and how it is made exactly-once. Built with the connectors it may use; without
 * them (`NO_CONNECTORS`) it can still be listed and used to validate definitions.
 */
export function stepCatalogue(connectors: StepConnectors = NO_CONNECTORS): StepCatalogue {
  const types: AnyStepType[] = [
    // PayTrace
    getTransactionStep(connectors),
    refundStep(connectors),
    voidStep(connectors),
    findCustomerStep(connectors),
    updateCustomerStep(connectors),
    // M3
    ensureCustomerStep(connectors),
    createOrderStep(connectors),
    addCardReferenceStep(connectors),
    getInvoiceStep(connectors),
    cashReceiptStep(connectors),
    convertCurrencyStep(connectors),
    writeVaultReferenceStep(connectors),
    m3CallStep(connectors),
    glPostStep(connectors),
    getCustomerStep(connectors),
    // ION, subscribers, e-mail
    publishPaymentStep(connectors),
    webhookStep(connectors),
    emailStep(connectors),
    // payment links (issue 22)
    createLinkStep(connectors),
    linkEmailStep(connectors),
    // the ledger
    openPaymentStep,
    usePaymentStep,
    findPaymentStep,
    requireUnusedTransactionStep,
    refundedSoFarStep,
    updatePaymentStep,
    applyPayTraceStateStep,
    recordVaultStep,
    findInvoiceLinkStep,
    recordInvoiceLinkStep,
    recordChargebackCaseStep,
    // logic
    mapStep,
    requireStep,
    failStep,
    qualifyInvoiceStep,
  ];
  const byType = new Map(types.map((t) => [t.type, t]));
  return { get: (type) => byType.get(type), list: () => [...types] };
}
