/**
 * An MI transaction's refusal. `type` is M3's error category (`@type` in v1, `errorType` in v2);
 * `code` is the M3 message id. XIM0002 ("… is invalid") and XAU0008 ("Not authorized for
 * company") are seen on real tenants; the other codes in NOK are this simulator's own choice
 * of id for a message real M3 words similarly (documented as inferred in simulators/README.md).
 */
export type MiErrorType = 'ServerReturnedNOK' | 'TransactionNotFound' | 'MandatoryInputFieldNotFound' | 'InputFieldTooLong';

export class MiError extends Error {
  constructor(
    readonly type: MiErrorType,
    readonly code: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** the NOK answers the simulated programs give, one place so they stay consistent */
export const NOK = {
  invalid: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XIM0002', field, `${what} is invalid`),
  notAuthorizedCompany: (cono: string) => new MiError('ServerReturnedNOK', 'XAU0008', 'CONO', `Not authorized for company ${cono}`),
  divisionMissing: (divi: string) => new MiError('ServerReturnedNOK', 'XDI0001', 'DIVI', `Division ${divi} does not exist`),
  alreadyExists: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XRE0103', field, `${what} already exists`),
  notNumeric: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XNU0001', field, `${what} must be numeric`),
  badDate: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XDT0001', field, `${what} is not a valid date`),
  badAmount: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XAM0001', field, `${what} must be an amount with at most 2 decimals`),
  mustBePositive: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XAM0002', field, `${what} must be greater than zero`),
  exceedsOpen: (open: string) => new MiError('ServerReturnedNOK', 'XPY0001', 'PYAM', `Payment amount exceeds the open amount ${open}`),
  currencyMismatch: (expected: string) => new MiError('ServerReturnedNOK', 'XCU0001', 'CUCD', `Currency must be ${expected}`),
  customerStopped: (cuno: string) => new MiError('ServerReturnedNOK', 'XBL0001', 'CUNO', `Customer ${cuno} is stopped`),
  clearCardNumber: () => new MiError('ServerReturnedNOK', 'XCC0001', 'CANU', 'Card number must be a token or a masked number'),
  notBalanced: (debit: string, credit: string) =>
    new MiError('ServerReturnedNOK', 'XGL0001', 'KEY1', `Batch is not balanced: debit ${debit}, credit ${credit}`),
  badGlLine: (line: number, reason: string) => new MiError('ServerReturnedNOK', 'XGL0002', 'PARM', `Line ${line}: ${reason}`),
  wrongStatus: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XST0001', field, what),
  noLines: () => new MiError('ServerReturnedNOK', 'OI10001', 'ORNO', 'Order has no lines'),
  recordMissing: (field: string, what: string) => new MiError('ServerReturnedNOK', 'XRE0104', field, `${what} does not exist`),
  transactionNotFound: (program: string, transaction: string) =>
    new MiError('TransactionNotFound', '', '', `Transaction ${transaction} does not exist in program ${program}`),
  programNotFound: (program: string) => new MiError('TransactionNotFound', '', '', `Program ${program} does not exist`),
  mandatoryMissing: (field: string) => new MiError('MandatoryInputFieldNotFound', '', field, `Mandatory input field ${field} is missing`),
  tooLong: (field: string, length: number) => new MiError('InputFieldTooLong', '', field, `Input field ${field} is longer than ${length}`),
};
