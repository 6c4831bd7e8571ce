import type { M3Fields, M3State, M3User } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { NOK } from './mi-error';

/**
 * MNS150MI — the user: what an H5 script or an Odin app reads first (company, division, language,
 * date and decimal format, time zone, facility, warehouse). Served from the simulator's M3 users,
 * which mirror the Infor OS logins, so each token sees its own context. MNS100MI gives the
 * company and division behind it.
 */

function userNamed(m3: M3State, usid: string): M3User {
  const user = m3.users.get(usid.toUpperCase());
  if (!user) throw NOK.recordMissing('USID', `User ${usid}`);
  return user;
}

/** GetUserData: the user's MNS150 record plus the names of its company and division */
function userData(m3: M3State, user: M3User): M3Fields {
  const division = m3.divisions[user.fields.DIVI ?? ''];
  return { ...user.fields, TX40: m3.companyName, CONM: division?.name ?? '' };
}

export const MNS150MI: ProgramHandlers = {
  /** without USID: the caller (what Odin's UserService and H5 send); with one: that user */
  GetUserData(call: MiCall) {
    return userData(call.m3, call.input.USID ? userNamed(call.m3, call.input.USID) : call.user);
  },
  /** every user from USID on, in USID order */
  LstUserData(call: MiCall) {
    const from = call.input.USID?.toUpperCase() ?? '';
    return [...call.m3.users.values()]
      .filter((u) => u.usid >= from)
      .sort((a, b) => a.usid.localeCompare(b.usid))
      .map((u) => ({ ...u.fields, TX40: u.fields.NAME ?? '' }));
  },
  /** the companies and divisions the user may work in: every division of the company */
  LstCmpDivi(call: MiCall) {
    userNamed(call.m3, call.input.USID!);
    return Object.entries(call.m3.divisions).map(([divi, d]) => ({ CONO: String(call.m3.cono), DIVI: divi, TX40: call.m3.companyName, CONM: d.name }));
  },
  /** the M3 user of an Infor OS identity */
  GetUserByEuid(call: MiCall) {
    const euid = call.input.EUID!.toUpperCase();
    const user = [...call.m3.users.values()].find((u) => u.fields.EUID?.toUpperCase() === euid);
    if (!user) throw NOK.recordMissing('EUID', `External user id ${call.input.EUID}`);
    return user.fields;
  },
};
