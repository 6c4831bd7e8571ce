/**
 * Words: how field names and descriptions become comparable tokens. A name such as
 * `billing_address.street_address2`, `CustomerParty/PartyIDs/ID` or an M3 description such as
 * "Customers order number" is split into words, lower-cased, and each word mapped to a concept
 * (zip → postal, qty → quantity, e-mail → email, id/no/nr/number → id). The concept table is a
 * hand-written lexicon of commerce/ERP words: every entry is checkable here, nothing is learned
 * behind your back (the learned part is the weights in model.ts).
 */

/** concept ← the spellings that mean it */
const CONCEPTS: Record<string, readonly string[]> = {
  id: ['id', 'ids', 'no', 'nr', 'nbr', 'num', 'number', 'numbers', 'identifier', 'identity', 'key', 'code'],
  name: ['name', 'names', 'nm', 'holder', 'cardholder', 'owner'],
  first: ['first', 'given', 'firstname', 'fname'],
  last: ['last', 'family', 'surname', 'lastname', 'lname'],
  address: ['address', 'addresses', 'addr', 'adr', 'street'],
  line: ['line', 'lines', 'row'],
  postal: ['postal', 'zip', 'zipcode', 'postcode', 'postalcode', 'pono'],
  city: ['city', 'town', 'locality', 'cityname'],
  region: ['state', 'province', 'region', 'subdivision', 'countrysubdivision', 'area'],
  county: ['county', 'countysubdivision'],
  country: ['country', 'nation', 'countrycode'],
  email: ['email', 'mail', 'emailaddress'],
  url: ['url', 'uri', 'link', 'href', 'web'],
  phone: ['phone', 'telephone', 'tel', 'mobile', 'mobilephone', 'dial', 'dialnumber', 'cell'],
  fax: ['fax', 'facsimile'],
  amount: ['amount', 'amt', 'total', 'sum', 'gross', 'net', 'balance'],
  price: ['price', 'unitprice'],
  // what an item costs us, not what it sells for (UCOS cost price vs SAPR sales price)
  cost: ['cost', 'costs', 'costprice'],
  rate: ['rate', 'rates'],
  currency: ['currency', 'cur', 'curr', 'ccy', 'currencyid', 'currencycode'],
  date: ['date', 'dt', 'day', 'datetime', 'at', 'timestamp', 'when'],
  time: ['time', 'hour', 'hhmm'],
  order: ['order', 'orders', 'po', 'purchase'],
  invoice: ['invoice', 'invoices', 'inv', 'billno'],
  customer: ['customer', 'cust', 'client', 'buyer'],
  payer: ['payer', 'payor', 'payfrom'],
  quantity: ['quantity', 'qty', 'quantities', 'units', 'count'],
  item: ['item', 'items', 'sku', 'product', 'article', 'itno'],
  // free text: ISO 20022's unstructured remittance, a bank's additional information
  description: ['description', 'desc', 'text', 'title', 'memo', 'note', 'notes', 'comment', 'remark', 'narrative', 'unstructured', 'info', 'information'],
  reference: ['reference', 'ref', 'refs'],
  transaction: ['transaction', 'transactions', 'txn', 'trans', 'tx', 'trx'],
  year: ['year', 'yr', 'yea4'],
  company: ['company', 'cono', 'organization', 'organisation', 'org', 'business'],
  division: ['division', 'divi', 'branch'],
  card: ['card', 'cc', 'creditcard', 'pan'],
  type: ['type', 'kind', 'category', 'brand'],
  status: ['status', 'statuscode'],
  language: ['language', 'lang', 'locale', 'languagecode'],
  batch: ['batch', 'batches'],
  payment: ['payment', 'payments', 'pay', 'paid', 'pmt'],
  method: ['method', 'means', 'mode'],
  bank: ['bank'],
  account: ['account', 'acct', 'acc', 'iban'],
  charge: ['charge', 'charges', 'fee', 'fees', 'surcharge', 'freight'],
  tax: ['tax', 'vat', 'taxes'],
  discount: ['discount', 'rebate'],
  delivery: ['delivery', 'shipping', 'ship', 'shipment', 'dispatch', 'deliver'],
  requested: ['requested', 'request', 'wanted', 'desired', 'due', 'promised'],
  warehouse: ['warehouse', 'whs', 'whlo', 'stock'],
  exchange: ['exchange', 'fx', 'conversion'],
  expiration: ['expiration', 'expiry', 'expires', 'exp'],
  month: ['month', 'mm'],
  provider: ['provider', 'gateway', 'processor', 'psp'],
  authorization: ['authorization', 'authorisation', 'auth', 'approval', 'authorized', 'authorised'],
  reason: ['reason', 'cause', 'why'],
  original: ['original', 'orig', 'initial', 'source'],
  credit: ['credit', 'refund', 'refunded', 'return', 'returned'],
  statement: ['statement', 'stmt', 'statmt', 'statment'],
  opening: ['opening', 'beginning'],
  outstanding: ['outstanding', 'remaining', 'open', 'unpaid'],
  closing: ['closing', 'close', 'end', 'ending'],
  debit: ['debit'],
  value: ['value'],
  sequence: ['sequence', 'seq', 'position', 'index'],
  user: ['user', 'username', 'login', 'operator', 'createdby', 'changedby', 'modifiedby', 'updatedby', 'enteredby'],
  // when a record was last changed / first entered: "Change date", LastModificationDateTime, updated_at
  changed: ['changed', 'change', 'modification', 'modified', 'updated', 'update', 'amended', 'lastmodified'],
  entered: ['entered', 'entry', 'created', 'creation', 'registered', 'registration'],
  valid: ['valid', 'effective'],
  from: ['from', 'since', 'start'],
  to: ['to', 'until', 'thru', 'through'],
  vendor: ['supplier', 'vendor'],
  contact: ['contact', 'person', 'attention', 'attn'],
  terms: ['terms', 'term'],
  agreement: ['agreement', 'mandate', 'contract'],
  receipt: ['receipt'],
  settlement: ['settlement', 'settled', 'settle', 'payout'],
  external: ['external', 'foreign', 'ext'],
  your: ['your', 'yours', 'customer\'s'],
  local: ['local', 'domestic', 'home'],
  cash: ['cash', 'till', 'pos'],
  desk: ['desk', 'register', 'terminal', 'station'],
  unit: ['unit', 'uom', 'measure'],
  return: ['rma', 'returns'],
  nominal: ['face'],
};

const STOPWORDS = new Set(['of', 'the', 'a', 'an', 'for', 'in', 'on', 'by', 'and', 'or', 'with', 'is', 'if', 'per', 'as', 'be', 'not', 'use', 'only', 'mi', 'api', 'x']);

const SPELLING = new Map<string, string>();
for (const [concept, words] of Object.entries(CONCEPTS)) {
  for (const w of words) if (!SPELLING.has(w)) SPELLING.set(w, concept);
}

/**
 * Word pairs that are one thing: "country sub division" is a region (not a country, not an M3
 * division), "created by" a user, "last modification" a change (not a last name). Matched on the
 * split words, longest first; the phrase becomes the single word on the right.
 */
const PHRASES: ReadonlyArray<readonly [readonly string[], string]> = [
  [['country', 'sub', 'division'], 'countrysubdivision'],
  [['county', 'sub', 'division'], 'countysubdivision'],
  [['last', 'modification'], 'lastmodified'],
  [['last', 'modified'], 'lastmodified'],
  [['last', 'changed'], 'lastmodified'],
  [['last', 'updated'], 'lastmodified'],
  [['created', 'by'], 'createdby'],
  [['changed', 'by'], 'changedby'],
  [['modified', 'by'], 'modifiedby'],
  [['updated', 'by'], 'updatedby'],
  [['entered', 'by'], 'enteredby'],
  [['zip', 'code'], 'zip'],
  [['pay', 'from'], 'payfrom'],
  // "amount including tax" is an amount, not a tax
  ...['including', 'incl', 'inc'].flatMap((w) => ['tax', 'vat'].map((t) => [[w, t], 'inclusivetax'] as const)),
  ...['excluding', 'excl', 'ex'].flatMap((w) => ['tax', 'vat'].map((t) => [[w, t], 'exclusivetax'] as const)),
  [['post', 'code'], 'postcode'],
  // the grand total is the total (a "grand" left over would read as a word the target lacks)
  [['grand', 'total'], 'total'],
];

function joinPhrases(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const hit = PHRASES.find(([phrase]) => phrase.every((w, k) => words[i + k] === w));
    if (hit) {
      out.push(hit[1]);
      i += hit[0].length;
    } else out.push(words[i++]!);
  }
  return out;
}

/** split a name or description into raw lower-case words: camelCase, snake_case, dots, slashes, digits */
export function splitWords(text: string): string[] {
  return joinPhrases(rawWords(text));
}

function rawWords(text: string): string[] {
  return text
    .replace(/e-mail/gi, 'email')
    .replace(/\bZIP ?code\b/gi, 'zip')
    .replace(/IDs\b/g, 'Ids')
    // a subtotal is part of an amount, not the amount: "sub" stays a word of its own that a
    // payment's, an authorization's or a refund's Amount does not explain (subtotal vs total)
    .replace(/sub(?=[_ ]?total)/gi, 'sub ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9']+/)
    .map((w) => w.replace(/'s$/, '').replace(/'/g, ''))
    .filter((w) => w.length > 0);
}

/** one word's concept (itself when the lexicon does not know it) */
export function concept(word: string): string {
  return SPELLING.get(word) ?? (word.length > 4 && word.endsWith('s') ? (SPELLING.get(word.slice(0, -1)) ?? word.slice(0, -1)) : word);
}

/**
 * Concepts whose "code" is just their value: a postal code is a postal code, a country code a
 * country — the word "code" after them is dropped, so province_code does not read as an id and
 * compete for a customer number. Elsewhere (customer code, item code) "code" still means an id.
 */
const CODED = new Set(['postal', 'country', 'region', 'county', 'currency', 'language', 'status', 'reason', 'type', 'terms', 'method', 'tax', 'unit', 'payment', 'discount', 'charge', 'transaction', 'authorization']);

/** words → concepts, stop words dropped; numbers kept (they tell address line 1 from 2) */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const w of splitWords(text)) {
    if (STOPWORDS.has(w)) continue;
    if (w === 'code' && out.length > 0 && CODED.has(out[out.length - 1]!)) continue;
    out.push(concept(w));
  }
  return out;
}

/** is `short` an abbreviation of `long` (prefix ≥ 3, or its consonant skeleton in order)? */
function abbreviates(short: string, long: string): boolean {
  if (short.length < 3 || short.length >= long.length) return false;
  if (long.startsWith(short)) return true;
  // qty ⊂ quantity, amt ⊂ amount: the letters of a short form appear in order, first letters equal
  if (short.length > 4 || short[0] !== long[0]) return false;
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/** concepts that are not the same but often stand for each other (an M3 payer is a customer) */
const RELATED: ReadonlyArray<readonly [string, string, number]> = [
  ['payer', 'customer', 0.6],
  ['reference', 'id', 0.5],
  ['company', 'customer', 0.4],
  ['original', 'reference', 0.5],
  // a business's name is its company name (M3 CUNM, a party's Name ← company)
  ['company', 'name', 0.5],
  // a reason is written as free text as often as it is coded (a credit memo's memo, a note)
  ['reason', 'description', 0.5],
];

/** similarity of two concepts: 1 equal, 0.8 an abbreviation of the other, the RELATED figure, 0 otherwise */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  for (const [x, y, v] of RELATED) if ((a === x && b === y) || (a === y && b === x)) return v;
  if (/^\d+$/.test(a) || /^\d+$/.test(b)) return 0;
  if (abbreviates(a, b) || abbreviates(b, a)) return 0.8;
  return 0;
}

/** the concepts of the lexicon (tests and the dictionary builder use it) */
export const KNOWN_CONCEPTS: ReadonlySet<string> = new Set(Object.keys(CONCEPTS));
