import type { M3Fields, M3State } from '../state';
import type { MiCall, ProgramHandlers } from './engine';

/** MNS100MI — the company and division a user works in: names, local currency, country, time zone. */

const CURRENCY_NAMES: Record<string, string> = { USD: 'US Dollar', EUR: 'Euro', CAD: 'Canadian Dollar', GBP: 'Pound Sterling' };
const COUNTRY_NAMES: Record<string, string> = { US: 'United States', DE: 'Germany', CA: 'Canada', GB: 'United Kingdom' };
const TIME_ZONES: Record<string, string> = { CST: 'Central Standard Time', EST: 'Eastern Standard Time', UTC: 'Coordinated Universal Time' };

function divisionData(m3: M3State, divi: string): M3Fields {
  const d = m3.divisions[divi]!;
  return {
    CONO: String(m3.cono), DIVI: divi, CONM: m3.companyName, TX15: d.name.slice(0, 15), FACI: d.facility, FACT: `Facility ${d.facility}`,
    WHLO: d.warehouse, WHLT: `Warehouse ${d.warehouse}`, DTFM: 'MDY', LOCD: d.localCurrency, LOCT: CURRENCY_NAMES[d.localCurrency] ?? d.localCurrency,
    COA1: '1 Market Street', COA2: '', COA3: 'Chicago IL 60601', COA4: '', PHNO: '+1 312 555 0199', CSCD: d.country, CSCT: COUNTRY_NAMES[d.country] ?? d.country,
    TIZO: d.timeZone, TIZT: TIME_ZONES[d.timeZone] ?? d.timeZone,
  };
}

export const MNS100MI: ProgramHandlers = {
  /** the call's division (matrix/DIVI, else the user's) */
  GetBasicData(call: MiCall) {
    return divisionData(call.m3, call.divi);
  },
  LstDivisions(call: MiCall) {
    return Object.keys(call.m3.divisions).map((divi) => divisionData(call.m3, divi));
  },
};
