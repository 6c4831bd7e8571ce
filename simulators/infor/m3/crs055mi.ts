import Decimal from 'decimal.js';
import type { ExchangeRate } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { localCurrency } from './lookups';
import { NOK } from './mi-error';

/** the currencies the demo company knows (CRS055) */
export const CURRENCIES: Record<string, { name: string; decimals: number }> = {
  USD: { name: 'US Dollar', decimals: 2 },
  EUR: { name: 'Euro', decimals: 2 },
  CAD: { name: 'Canadian Dollar', decimals: 2 },
  GBP: { name: 'Pound Sterling', decimals: 2 },
};

function currency(call: MiCall, field: string): string {
  const code = call.input[field];
  if (!Object.hasOwn(CURRENCIES, code)) throw NOK.invalid(field, 'Currency');
  return code;
}

function rateRecord(call: MiCall, rate: ExchangeRate): Record<string, string> {
  // rates are multiply rates to the local currency (DMCU 1), rate factor 1 (RAFA 0)
  return {
    CONO: String(call.cono), DIVI: call.divi, CUCD: rate.cucd, CRTP: String(rate.crtp), CUTD: rate.cutd, ARAT: rate.arat,
    LOCD: localCurrency(call), DMCU: '1', RAFA: '0', FCUR: rate.cucd, TCUR: localCurrency(call),
  };
}

/** the rate valid on a date: the latest one dated on or before it */
function validRate(call: MiCall, cucd: string, crtp: number, date: string): ExchangeRate | undefined {
  return call.m3.rates
    .filter((r) => r.cucd === cucd && r.crtp === crtp && r.cutd <= date)
    .sort((a, b) => b.cutd.localeCompare(a.cutd))[0];
}

/** CRS055MI — Currency interface (LOCD = local currency of the division) */
export const CRS055MI: ProgramHandlers = {
  GetBasicData(call) {
    const code = currency(call, 'CUCD');
    const spec = CURRENCIES[code];
    return { CONO: String(call.cono), DIVI: call.divi, CUCD: code, TX40: spec.name, TX15: spec.name.slice(0, 15), DCCD: String(spec.decimals), RAFA: '0', ADPR: '0', NPRD: '2' };
  },
  LstRatesPerType(call) {
    const code = currency(call, 'CUCD');
    const crtp = Number(call.input.CRTP);
    return call.m3.rates
      .filter((r) => r.cucd === code && r.crtp === crtp && (call.input.CUTD === undefined || r.cutd <= call.input.CUTD))
      .sort((a, b) => b.cutd.localeCompare(a.cutd))
      .map((r) => rateRecord(call, r));
  },
  SelExchangeRate(call) {
    if (call.input.TCUR !== undefined && call.input.TCUR !== localCurrency(call)) throw NOK.invalid('TCUR', 'To currency');
    const from = call.input.FCUR === undefined ? undefined : currency(call, 'FCUR');
    const crtp = Number(call.input.CRTP);
    const codes = from ? [from] : Object.keys(CURRENCIES).filter((c) => c !== localCurrency(call));
    return codes.flatMap((code) => {
      const rate = validRate(call, code, crtp, call.input.CUTD);
      return rate ? [rateRecord(call, rate)] : [];
    });
  },
  AddRate(call) {
    const code = currency(call, 'CUCD');
    if (code === localCurrency(call)) throw NOK.invalid('CUCD', 'Currency (the local currency has no rate)');
    const arat = new Decimal(call.input.ARAT);
    if (arat.lte(0)) throw NOK.mustBePositive('ARAT', 'Exchange rate');
    const crtp = Number(call.input.CRTP);
    if (call.m3.rates.some((r) => r.cucd === code && r.crtp === crtp && r.cutd === call.input.CUTD)) {
      throw NOK.alreadyExists('CUTD', `Rate for ${code} on ${call.input.CUTD}`);
    }
    const rate: ExchangeRate = { cucd: code, crtp, cutd: call.input.CUTD, arat: arat.toFixed(6) };
    call.m3.rates.push(rate);
    return rateRecord(call, rate);
  },
};
