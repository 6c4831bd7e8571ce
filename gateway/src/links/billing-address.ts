import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';
import { cleanText, formatPostal, regionCode, type AddressProblem, type AddressRules } from '../domain/address';
import type { PayerField } from '../domain/status-map';

/**
 * The pay page's billing address, from the same address rules the flows harmonize M3 addresses
 * with (mappings/address-rules.yaml): the country list, the regions of each country that has a
 * table, and each country's postal format. The browser gets them as data and checks as the payer
 * types; the server checks again before anything is charged.
 */

countries.registerLocale(en);

export interface AddressFormRules {
  defaultCountry: string;
  /** [alpha-2, English name], the default country first, then by name */
  countries: Array<[string, string]>;
  /** [code, name] per country that has a region table */
  regions: Record<string, Array<[string, string]>>;
  regionRequired: string[];
  /** the whole-value pattern of each country's postal code (and `default`) */
  postal: Record<string, { pattern: string; required: boolean }>;
  /** what the fields are called in a country: State / ZIP code in the US, Province / Postal code in Canada */
  labels: Record<string, { region: string; postal: string }>;
}

const titleCase = (upper: string) => upper.toLowerCase().replace(/(^|[\s.-])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());

const LABELS: Record<string, { region: string; postal: string }> = {
  US: { region: 'State', postal: 'ZIP code' },
  CA: { region: 'Province', postal: 'Postal code' },
  GB: { region: 'County', postal: 'Postcode' },
  default: { region: 'State / region', postal: 'Postal code' },
};

/** The form's rules, built once per rules object (they do not change while the gateway runs). */
const built = new WeakMap<AddressRules, AddressFormRules>();
export function addressFormRules(rules: AddressRules): AddressFormRules {
  const cached = built.get(rules);
  if (cached) return cached;
  const defaultCountry = rules.defaultCountry ?? 'US';
  const names = countries.getNames('en', { select: 'official' });
  const list = Object.entries(names)
    .filter(([code]) => code !== defaultCountry)
    .sort((a, b) => a[1].localeCompare(b[1], 'en'));
  const regions: AddressFormRules['regions'] = {};
  for (const [country, table] of Object.entries(rules.regions)) {
    // one entry per code: the first name the table gives it (the official one comes first in the file)
    const byCode = new Map<string, string>();
    for (const [name, code] of Object.entries(table)) if (!byCode.has(code)) byCode.set(code, titleCase(name));
    regions[country] = [...byCode.entries()].sort((a, b) => a[1].localeCompare(b[1], 'en'));
  }
  const postal: AddressFormRules['postal'] = {};
  for (const [country, format] of Object.entries(rules.postalFormats)) postal[country] = { pattern: format.pattern, required: format.onMismatch === 'error' };
  const form: AddressFormRules = {
    defaultCountry,
    countries: [[defaultCountry, names[defaultCountry] ?? defaultCountry], ...list],
    regions,
    regionRequired: [...rules.regionRequired],
    postal,
    labels: LABELS,
  };
  built.set(rules, form);
  return form;
}

export interface BillingAddressInput {
  name: string;
  streetAddress?: string;
  city?: string;
  state?: string;
  zip: string;
  country: string;
}

export interface FieldProblem {
  field: PayerField;
  message: string;
}

/**
 * The billing address as PayTrace should get it: a known country, a region code where the country
 * has a table, the postal code in its country's format. Problems name the pay-page field.
 */
export function checkBillingAddress(rules: AddressRules, input: BillingAddressInput): { address: BillingAddressInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const country = cleanText(input.country).toUpperCase();
  const labels = LABELS[country] ?? LABELS.default!;
  if (!/^[A-Z]{2}$/.test(country) || !countries.isValid(country)) problems.push({ field: 'country', message: 'Choose the country of the billing address.' });
  let state = input.state ? cleanText(input.state) : undefined;
  if (rules.regions[country]) {
    const code = state ? regionCode(rules, country, state) : undefined;
    if (code) state = code;
    else if (state || rules.regionRequired.includes(country)) problems.push({ field: 'state', message: `Choose the ${labels.region.toLowerCase()} of the billing address.` });
  }
  const postalProblems: AddressProblem[] = [];
  const zip = formatPostal(rules, country, input.zip, postalProblems);
  if (!zip) problems.push({ field: 'zip', message: `Enter the ${labels.postal} of the billing address.` });
  else if (postalProblems.some((p) => p.severity === 'error')) problems.push({ field: 'zip', message: `${zip} is not a valid ${labels.postal} for ${countries.getName(country, 'en') ?? country}.` });
  return { address: { ...input, country, state, zip }, problems };
}
