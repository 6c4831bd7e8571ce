import { SERVICE_ACCOUNT_USER } from '../os/authority';
import type { ProgramHandlers } from './engine';
import { NOK } from './mi-error';

/** MNS150MI — users: the service account's user context (company, division, language, zone) */
export const MNS150MI: ProgramHandlers = {
  GetUserData(call) {
    const usid = (call.input.USID ?? SERVICE_ACCOUNT_USER).toUpperCase();
    if (usid !== SERVICE_ACCOUNT_USER) throw NOK.invalid('USID', 'User');
    return {
      CONO: String(call.cono), DIVI: call.divi, LANC: 'GB', DTFM: 'YMD', DCFM: '.', TIZO: 'CST', FACI: 'F01', WHLO: 'W01',
      USID: usid, NAME: 'M3 service account (m3-paytrace)', USTA: '20', TX40: 'Demo company', CONM: call.m3.divisions[call.divi]?.name ?? '',
    };
  },
};
