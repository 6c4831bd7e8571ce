import { accountNumberValid, ERROR, routingNumberValid } from './codes';
import type { SimBankAccount } from './state';
import type { FieldErrors, JsonBody } from './wire';

/**
 * `check{account_number, routing_number}` of an ACH call or a bank-account profile: the account
 * number 4–17 digits (45), the routing number nine digits with a valid ABA check digit (46). Both
 * errors are reported together, like the card errors. Numbers may come as JSON numbers or strings.
 */
export function readBankAccount(check: JsonBody | undefined, errors: FieldErrors): SimBankAccount | undefined {
  const digits = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : '');
  const accountNumber = digits(check?.account_number);
  const routingNumber = digits(check?.routing_number);
  let good = true;
  if (!accountNumberValid(accountNumber)) {
    errors.add(ERROR.accountNumber);
    good = false;
  }
  if (!routingNumberValid(routingNumber)) {
    errors.add(ERROR.routingNumber);
    good = false;
  }
  return good ? { accountNumber, routingNumber } : undefined;
}
