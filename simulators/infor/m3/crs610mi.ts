import { today, type Customer } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { formatCents } from '../money';
import { customerOf, customerRecord, localCurrency } from './lookups';
import { NOK } from './mi-error';

/** fields a change transaction may set; CONO/DIVI/CUNO are keys, not data */
const KEYS = new Set(['CONO', 'DIVI', 'CUNO', 'PWM1', 'PWM2']);

function applyChanges(call: MiCall, customer: Customer): void {
  for (const [name, value] of Object.entries(call.input)) {
    if (!KEYS.has(name)) customer.fields[name] = value;
  }
  customer.fields.LMDT = today();
}

/** CRS610MI — Customer interface */
export const CRS610MI: ProgramHandlers = {
  Add(call) {
    const { m3, input } = call;
    let cuno = input.CUNO;
    if (cuno === undefined) {
      do {
        m3.counters.customer += 1;
        cuno = `C${m3.counters.customer}`;
      } while (m3.customers.has(cuno));
    } else if (m3.customers.has(cuno)) {
      throw NOK.alreadyExists('CUNO', `Customer number ${cuno}`);
    }
    if (!m3.customers.has(input.CUTM) && !m3.setup.customerTemplates.includes(input.CUTM)) throw NOK.invalid('CUTM', 'Customer template');
    const template = m3.customers.get(input.CUTM);
    const customer: Customer = {
      cuno,
      divi: call.divi,
      fields: {
        STAT: '20', LNCD: 'GB', CUTP: '0', TEPY: 'N30', PYCD: 'CC', BLCD: '0', ORTP: 'A01', WHLO: 'W01', FACI: 'F01', CRTP: '1', VTCD: '0',
        CUCD: template?.fields.CUCD ?? call.m3.divisions[call.divi].localCurrency,
        RGDT: today(),
        PYNO: cuno,
      },
    };
    applyChanges(call, customer);
    delete customer.fields.CUTM;
    m3.customers.set(cuno, customer);
    call.events.customerChanged(customer, true);
    return { CUNO: cuno, ERRM: '' };
  },
  GetBasicData: (call) => {
    // a customer template (CUTM) is a customer record of its own in M3: it can be read like one
    const cuno = call.input.CUNO ?? '';
    if (!call.m3.customers.has(cuno) && call.m3.setup.customerTemplates.includes(cuno)) {
      return { CONO: String(call.cono), DIVI: call.divi, CUNO: cuno, CUNM: `Template ${cuno}`, STAT: '90', CUCD: localCurrency(call), CSCD: 'US', CUTP: '0' };
    }
    return customerRecord(call, customerOf(call));
  },
  GetFinancial: (call) => {
    const customer = customerOf(call);
    const open = call.m3.invoices.filter((i) => i.cuno === customer.cuno).reduce((sum, i) => sum + i.amountCents - i.paidCents, 0);
    return { ...customerRecord(call, customer), TOIN: formatCents(open), TBLG: '0.00' };
  },
  GetOrderInfo: (call) => customerRecord(call, customerOf(call)),
  GetAddress(call) {
    const customer = customerOf(call);
    // the simulator keeps one address per customer; ADRT 1 (delivery) and 3 (invoice) both read it
    if (!['1', '3'].includes(call.input.ADRT)) throw NOK.invalid('ADRT', 'Address type');
    return { ...customerRecord(call, customer), ADRT: call.input.ADRT, ADID: call.input.ADID };
  },
  LstByNumber(call) {
    const from = call.input.CUNO ?? '';
    return [...call.m3.customers.values()]
      .filter((c) => c.cuno >= from)
      .sort((a, b) => a.cuno.localeCompare(b.cuno))
      .map((c) => customerRecord(call, c));
  },
  ChgBasicData(call) {
    const customer = customerOf(call);
    applyChanges(call, customer);
    call.events.customerChanged(customer, false);
    return { CUNO: customer.cuno };
  },
  ChgFinancial(call) {
    const customer = customerOf(call);
    if (call.input.BLCD !== undefined && !['0', '1', '2', '3', '9'].includes(call.input.BLCD)) throw NOK.invalid('BLCD', 'Customer stop');
    applyChanges(call, customer);
    call.events.customerChanged(customer, false);
  },
};
