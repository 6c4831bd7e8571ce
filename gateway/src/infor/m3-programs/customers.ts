import type { M3Executor, M3Scope } from './executor';
import { isAlreadyThere, isNotFound } from './executor';

export interface NewCustomer {
  cuno: string;
  name: string;
  /** CRS610MI customer template (CUTM): the M3 admin's model customer for web customers */
  template: string;
  address: Partial<Record<'CUA1' | 'CUA2' | 'CUA3' | 'CUA4' | 'TOWN' | 'PONO' | 'CSCD' | 'ECAR', string>>;
  phone?: string;
  email?: string;
  currency?: string;
}

/** CRS610MI/GetBasicData, or undefined when M3 does not know the customer. */
export async function getCustomer(m3: M3Executor, scope: M3Scope, cuno: string): Promise<Record<string, string> | undefined> {
  try {
    const { records } = await m3.execute('CRS610MI', 'GetBasicData', { CUNO: cuno }, scope);
    return records[0];
  } catch (err) {
    if (isNotFound(err, 'CUNO')) return undefined;
    throw err;
  }
}

/**
 * CRS610MI/Add with an explicit CUNO, so the customer can be looked up after an unknown outcome;
 * "already exists" is the earlier attempt's customer.
 */
export async function ensureCustomer(m3: M3Executor, scope: M3Scope, customer: NewCustomer): Promise<{ cuno: string; created: boolean }> {
  if (await getCustomer(m3, scope, customer.cuno)) return { cuno: customer.cuno, created: false };
  try {
    await addCustomer(m3, scope, customer);
    return { cuno: customer.cuno, created: true };
  } catch (err) {
    if (isAlreadyThere(err, 'CUNO')) return { cuno: customer.cuno, created: false };
    throw err;
  }
}

async function addCustomer(m3: M3Executor, scope: M3Scope, customer: NewCustomer): Promise<string> {
  const { records } = await m3.execute(
    'CRS610MI',
    'Add',
    {
      CUNO: customer.cuno,
      CUTM: customer.template,
      CUNM: customer.name, // too long: mappings/m3-fields.yaml says cut (overflow: truncate) or refuse
      ...customer.address,
      PHNO: customer.phone,
      MAIL: customer.email,
      CUCD: customer.currency,
    },
    scope,
  );
  return records[0]?.CUNO || customer.cuno;
}
