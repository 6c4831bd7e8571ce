import { AppError, type ErrorClass } from './app-error';
import { TRANSIENT_NODE_CODES, TRANSIENT_PG_CLASSES, TRANSIENT_PG_CODES } from './classify-infra';

/**
 * Every error code the gateway throws or answers, in one typed table: its class, the HTTP status
 * it answers with, what it means and what the operator or caller should do. docs/errors.md is
 * generated from this file (`npm run docs:errors`), and test/unit/errors/registry.test.ts scans the
 * source for codes and fails on one that is not here, or on an entry nothing raises any more.
 *
 * `httpStatus: null` means the code is raised only in background work (jobs, start-up, calls we
 * make): it shows in dead letters, a payment's last error and the logs, never in an HTTP answer.
 */

/** The class table at the top of docs/errors.md: what each class means and what the queue does. */
export const ERROR_CLASSES: ReadonlyArray<{ errorClass: ErrorClass; meaning: string; queue: string }> = [
  {
    errorClass: 'transient',
    meaning: 'timeouts, 5xx, 429, connection loss, token expiry: may work in a moment',
    queue: 'retries with exponential backoff and jitter (`QUEUE_RETRY_LIMIT`, `QUEUE_RETRY_DELAY_SECONDS`); the last failure becomes a dead letter',
  },
  {
    errorClass: 'business',
    meaning: 'the request is wrong or the systems say no (decline, M3 NOK on validation)',
    queue: 'no retry: the flow resolves it, or it becomes a dead letter at once',
  },
  { errorClass: 'configuration', meaning: 'credentials, mappings or settings are wrong', queue: 'no retry: dead letter, alert' },
  { errorClass: 'bug', meaning: 'anything unexpected (our fault)', queue: 'no retry: dead letter, logged with its stack' },
];

/** The concerns codes are grouped by, in the order docs/errors.md shows them. */
export const CONCERNS = {
  http: { title: 'Any request' },
  infra: { title: 'Connections and the database' },
  pipeline: { title: 'Jobs, inbox, intents and dead letters' },
  rules: { title: 'Rules files and connection files' },
  money: { title: 'Amounts and currencies' },
  ledger: { title: 'Ledger and refund limits' },
  gl: { title: 'GL postings' },
  matching: {
    title: 'References and addresses',
    intro: '`ADDRESS_INVALID` lists what is wrong in `details.problems` (`{field, code}`); warnings of the same codes appear in the address harmonization result without stopping anything.',
  },
  bod: { title: 'BODs from ION' },
  ims: { title: 'The IMS endpoint (`/ims`, ION → gateway)' },
  inforOs: { title: 'Infor OS tokens' },
  m3: {
    title: 'M3 API',
    intro: "M3's own message id (e.g. `XIM0002`) is not our code: it is in `details.m3Code` of `M3_NOK`, with `program`, `transaction`, `field` and `type`.",
  },
  ion: { title: 'BODs to ION' },
  paytrace: {
    title: 'PayTrace API',
    intro:
      "Declines and field errors are results, not errors; these codes are for what is not an answer, and for callers that ask to throw on a non-approval. PayTrace's own response and error codes (101, 102, 817, …) are in `details.responseCode` and `details.fieldErrors[].code`; see [paytrace.md](paytrace.md).",
  },
  invoicePayment: { title: 'Flow: invoice payment' },
  ecommerce: { title: 'Flow: e-commerce orders (`/events/ecommerce`)' },
  refund: { title: 'Flow: refunds (`/api/refunds`)' },
  chargeback: { title: 'Flow: chargebacks (`/api/chargebacks`, report files)' },
  customerSync: { title: 'Flow: customer sync' },
  webhooks: { title: 'Event webhooks to subscribers' },
  admin: { title: 'Operator app and admin API' },
  links: { title: 'Payment links (`/api/payment-links`) and e-mail' },
  invoiceLinks: { title: 'Flow: automatic payment links for new invoices (`invoice-links`)' },
  payPage: {
    title: 'Pay page (`/pay/:token/charge` and `/status`)',
    intro:
      "Pay page answers are not problem JSON but the page's own outcome object `{status, httpStatus, code?, message, reference?}`; `message` is what the customer reads.",
    outro:
      'Two outcomes carry no code: status `declined` (HTTP 402: the card was declined; the ledger payment is `declined`, the link stays open for another attempt `PL-<link>-<n+1>`) and status `confirming` (HTTP 202: PayTrace\'s answer was lost; the attempt is looked up by its reference before anything else, and the page polls `/status`).',
  },
  recon: { title: 'Reconciliation (`/api/recon`)' },
  mapping: { title: 'Mapping functions and the mapping assistant (`/admin/api/mapping-assistant`, `npm run map`)' },
} as const satisfies Record<string, { title: string; intro?: string; outro?: string }>;

export type Concern = keyof typeof CONCERNS;

/** The same code raised with another class or status, and when. */
export interface ErrorVariant {
  errorClass: ErrorClass;
  httpStatus: number | null;
  when: string;
}

export interface ErrorCodeInfo {
  concern: Concern;
  errorClass: ErrorClass;
  /** the status of the HTTP answer; null when the code is only raised in background work */
  httpStatus: number | null;
  /** what happened, in plain words (markdown) */
  meaning: string;
  /** what the operator or the caller should do about it (markdown) */
  action: string;
  variants?: readonly ErrorVariant[];
}

type Entry = Omit<ErrorCodeInfo, 'concern'>;

function group<K extends string>(concern: Concern, entries: Record<K, Entry>): Record<K, ErrorCodeInfo> {
  const out = {} as Record<K, ErrorCodeInfo>;
  for (const code of Object.keys(entries) as K[]) out[code] = { concern, ...entries[code] };
  return out;
}

const http = group('http', {
  BODY_MALFORMED_JSON: { errorClass: 'business', httpStatus: 400, meaning: 'the body is not valid JSON', action: 'Caller: send well-formed JSON with `Content-Type: application/json`.' },
  BODY_TOO_LARGE: { errorClass: 'business', httpStatus: 413, meaning: 'the body exceeds `BODY_LIMIT_BYTES`', action: 'Caller: send less; operator: raise `BODY_LIMIT_BYTES` only if such bodies are legitimate.' },
  BODY_UNSUPPORTED_ENCODING: { errorClass: 'business', httpStatus: 415, meaning: 'unsupported content encoding or charset', action: 'Caller: send UTF-8 JSON, uncompressed or with a standard `Content-Encoding` (gzip, deflate).' },
  BAD_REQUEST: { errorClass: 'business', httpStatus: 400, meaning: 'another malformed request (a 4xx from the body parser); the status is the parser\'s', action: 'Caller: read `detail` and fix the request.' },
  ROUTE_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'no such route (or no such pay page asset)', action: 'Caller: check the method and path against the OpenAPI document (`/openapi.json`).' },
  SHUTTING_DOWN: { errorClass: 'transient', httpStatus: 503, meaning: 'the gateway is draining before it stops', action: 'Caller: retry; the load balancer sends it to another instance.' },
  UNEXPECTED: { errorClass: 'bug', httpStatus: 500, meaning: 'an unexpected error', action: 'Operator: find the log line with the request id (or the dead letter) and its stack; report it. Replay once fixed.' },
  CARD_DATA_REFUSED: { errorClass: 'business', httpStatus: 400, meaning: 'a request carried a card number or CSC; the gateway never accepts card data (the body is dropped, never logged)', action: 'Caller: take cards only through PayTrace Protect (the pay page); send tokens or references, never card data.' },
  REQUEST_NUL_CHARACTER: { errorClass: 'business', httpStatus: 400, meaning: 'a NUL character (U+0000, `%00`) in the URL or in a JSON body: never valid, and PostgreSQL text cannot hold it', action: 'Caller: send the value without it.' },
  API_FORBIDDEN: { errorClass: 'business', httpStatus: 403, meaning: 'an `/api` call with a valid Infor OS token whose API role is below the route\'s (`details.roleNeeded`, `details.rolesGranted`; m3-user < viewer < operator < admin, see docs/security.md)', action: 'Caller: ask the Infor OS admin for the role (mapped by `api.roleMap`), or map a backend app with `api.clientRoles`.' },
  API_AUTH_NOT_CONFIGURED: { errorClass: 'configuration', httpStatus: 503, meaning: 'an endpoint that needs an Infor OS caller token, on a gateway without Infor (`infor.ionapiFile`)', action: 'Operator: configure the `.ionapi` file; until then these endpoints refuse every call.' },
});

const infra = group('infra', {
  INFRA_TIMEOUT: { errorClass: 'transient', httpStatus: 503, meaning: 'a call or query timed out (`TimeoutError`/`AbortError`)', action: 'None: jobs retry. If it persists, check the slow system named in the message.' },
  INFRA_DB_CONNECTION: { errorClass: 'transient', httpStatus: 503, meaning: 'the database connection was lost or the pool had none free in time', action: 'None: jobs retry. If it persists, check PostgreSQL and `DATABASE_POOL_MAX`.' },
});

const pipeline = group('pipeline', {
  JOB_EXPIRED: { errorClass: 'transient', httpStatus: null, meaning: 'a job did not finish in time (worker crashed or hung) and used up its retries', action: 'Operator: check the logs around the dead letter for a crash; replay it from the operator app.' },
  INBOX_MISSING: { errorClass: 'bug', httpStatus: null, meaning: 'a job names an inbox row that does not exist', action: 'Operator: report it with the dead letter; the payload is in the dead letter.' },
  INTENT_OUTCOME_UNKNOWN: { errorClass: 'configuration', httpStatus: null, meaning: 'an earlier attempt of a side effect may have happened, and the step has no lookup to find out', action: 'Operator: check the system named in the message by hand; record what happened, then replay or abandon the dead letter with a reason.' },
  FLOWS_NOT_CONFIGURED: { errorClass: 'configuration', httpStatus: null, meaning: 'a flow job ran on a gateway without Infor, PayTrace or the rules (the message names which)', action: 'Operator: configure what is missing, then replay the dead letters.', variants: [{ errorClass: 'configuration', httpStatus: 503, when: 'the operator app asked for flows or rules versions on a gateway without the flows or rules module' }] },
  DLQ_REASON_REQUIRED: { errorClass: 'business', httpStatus: 400, meaning: 'a dead-letter replay/abandon without a reason (3 characters at least)', action: 'Operator: give a reason; it goes to the audit log.' },
  DLQ_ACTOR_REQUIRED: { errorClass: 'business', httpStatus: 400, meaning: 'a dead-letter action without the acting user', action: 'Caller: act through a signed-in operator session.' },
  FLOW_DEFINITION_INVALID: {
    errorClass: 'configuration',
    httpStatus: null,
    meaning: 'a flow definition (`mappings/flows/*.yaml`, or a version being published) has errors; the message lists `file:line:column path: problem` for each',
    action: 'Operator: fix each problem (`npm run flows -- validate` shows them), or publish an earlier version.',
    variants: [
      { errorClass: 'configuration', httpStatus: 422, when: 'a definition published from the operator app fails validation' },
      { errorClass: 'business', httpStatus: 422, when: 'the builder asked for a test run of a draft that does not compile (`errors` lists each problem)' },
    ],
  },
  FLOW_NOT_PUBLISHED: {
    errorClass: 'configuration',
    httpStatus: 503,
    meaning: 'a trigger arrived that no published flow takes (e.g. the storefront webhook without an `ecommerce-webhook` flow), or a job names a flow that is not published',
    action: 'Operator: publish a flow with that trigger (the shipped ones are in `mappings/flows/`); replay the dead letters.',
    variants: [{ errorClass: 'configuration', httpStatus: null, when: 'raised in a job or by the pay page\'s hand-over' }],
  },
  FLOW_VERSION_MISSING: {
    errorClass: 'bug',
    httpStatus: null,
    meaning: 'a trigger is pinned to a flow version that no longer exists',
    action: 'Operator: report it with the dead letter.',
    variants: [{ errorClass: 'business', httpStatus: 404, when: 'a rollback to a version that does not exist, or the operator app asked for a flow that does not exist' }],
  },
  FLOW_ID_MISMATCH: { errorClass: 'business', httpStatus: 422, meaning: 'a definition saved or published under another flow\'s id', action: 'Admin: keep the `id:` of the definition equal to the flow it is saved for.' },
  FLOW_NO_DRAFT: { errorClass: 'business', httpStatus: 409, meaning: 'publish without a draft (and without a definition in the request)', action: 'Admin: save a draft first, or send the definition.' },
  FLOW_PUBLISH_REASON_REQUIRED: { errorClass: 'business', httpStatus: 400, meaning: 'a flow or rules version published without a reason (3 characters at least)', action: 'Admin: say why; the reason goes to the audit log.' },
  FLOW_TRIGGER_TAKEN: { errorClass: 'business', httpStatus: 409, meaning: 'the trigger of the definition already starts another published flow (one flow per trigger)', action: 'Admin: change the trigger, or retire the other flow first.' },
  FLOW_TEST_RUN_BUSY: { errorClass: 'business', httpStatus: 409, meaning: 'a test run of the flow was asked for while another one of the same flow is still running (one at a time per flow, on every gateway)', action: 'Operator: wait for the running test to end (at most its time limit), or cancel it (Cancel in the test-run panel), then run again.' },
  FLOW_TEST_RUN_NOT_RUNNING: { errorClass: 'business', httpStatus: 409, meaning: 'a test run of the flow was asked to cancel, but none is running (it ended already, or the gateway running it stopped)', action: 'Operator: nothing to do; the panel shows how the last run ended.' },
  FLOW_TEST_RUN_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'no kept test run of the flow has that id (a flow keeps its last 20 test runs: an older one is gone)', action: 'Operator: pick a run from the flow\'s past runs (`GET /admin/api/flows/:id/test-runs`).' },
  FLOW_TEST_RUN_CANCELLED: { errorClass: 'business', httpStatus: null, meaning: 'a test run was stopped by an operator\'s Cancel before its next step: the answer (HTTP 200, outcome `cancelled`) has the steps that ran; nothing it wrote to the gateway\'s database is kept', action: 'Operator: none; run again when ready.' },
  FLOW_TEST_RUN_SANDBOX_ONLY: { errorClass: 'business', httpStatus: 409, meaning: 'a test run was asked for on a gateway connected to a real M3 and PayTrace: test runs really call the connected systems, so they run in sandbox mode only', action: 'Operator: test the draft on a sandbox gateway (`npm start`), then publish it here.' },
  FLOW_TEST_RUN_TIMEOUT: { errorClass: 'business', httpStatus: null, meaning: 'a test run did not end within its time limit: the answer (HTTP 200, outcome `timeout`) has the steps that ran before it; the run stops before its next step, rolled back', action: 'Operator: look at the last step that ran (a slow system?); run again, or with a longer limit (at most 120 s).' },
  FLOW_TEST_SAMPLE_MISSING: { errorClass: 'business', httpStatus: 409, meaning: 'a test run without an event, for a flow that has no saved test sample', action: 'Operator: choose a shipped sample, pin an inbox event or type one in the test-run panel.' },
  FLOW_TEST_SAMPLE_CARD_DATA: { errorClass: 'business', httpStatus: 422, meaning: 'a test sample (or the inbox event it would be pinned from) holds what looks like a card number or security code: it is not stored and not run', action: 'Operator: use an event without card data (PayTrace ids and masked cards only); find who sent card data in the inbox row.' },
  FLOW_TEST_INBOX_EVENT_MISSING: { errorClass: 'business', httpStatus: 404, meaning: 'the inbox event to pin as a test sample is not a trigger of this flow', action: 'Operator: pick one of the flow\'s own inbox events in the test-run panel.', variants: [{ errorClass: 'business', httpStatus: 422, when: 'the inbox event does not map to an event of the flow (its trigger refused it)' }] },
  FLOW_STEP_INPUT_INVALID: { errorClass: 'business', httpStatus: null, meaning: 'a step\'s mapped input does not fit its type (`details.fieldErrors` names each field); usually the event lacks data the mapping expects', action: 'Operator: look at the run\'s trace (input of the step); fix the data or the mapping, then replay.' },
  FLOW_STEP_TYPE_UNKNOWN: { errorClass: 'configuration', httpStatus: null, meaning: 'a pinned flow version uses a step type this gateway does not have', action: 'Operator: run the gateway version the flow was published with, or publish the flow again.' },
  FLOW_STEP_NOT_ALLOWED: { errorClass: 'configuration', httpStatus: null, meaning: 'a step called an M3 transaction it does not declare (a step runs with only the rights it declares)', action: 'Admin: declare the transaction in the step\'s config (m3.call), or report it if a built-in step does it.' },
  FLOW_NO_PAYMENT: { errorClass: 'configuration', httpStatus: null, meaning: 'a step records on the payment, but the run opened none (no `ledger.open-payment` or `ledger.use-payment` before it)', action: 'Admin: open the payment before the step, or drop its `ledger:` part.' },
  FLOW_LEDGER_STATUS_INVALID: { errorClass: 'configuration', httpStatus: null, meaning: 'a step\'s `ledger.status` expression gave something that is not a status word', action: 'Admin: fix the expression (it must give a word such as `verified`).' },
  FLOW_EXPRESSION_FAILED: { errorClass: 'configuration', httpStatus: null, meaning: 'a mapping expression failed when it ran (`details.jsonataCode`, `details.position`)', action: 'Admin: fix the expression named in the message; test it on a sample in the builder, then replay.' },
  FLOW_EXPRESSION_TIMEOUT: { errorClass: 'configuration', httpStatus: null, meaning: 'a mapping expression ran longer than its time bound (an endless loop?)', action: 'Admin: simplify the expression named in the message.' },
  FLOW_EXPRESSION_RESULT_TOO_LARGE: { errorClass: 'configuration', httpStatus: null, meaning: 'a mapping expression produced more than the bound (1 MB of JSON)', action: 'Admin: map only what the step needs.' },
  FLOW_EXPRESSION_UNSAFE_REGEX: { errorClass: 'configuration', httpStatus: null, meaning: 'a mapping expression uses a regular expression that could take exponential time (nested quantifiers)', action: 'Admin: rewrite the regular expression without nested quantifiers.' },
  BOD_EVENT_INVALID: { errorClass: 'business', httpStatus: null, meaning: 'a BOD\'s mapped event does not fit the flow\'s event schema (`details.fieldErrors`); the BOD is refused with a ConfirmBOD', action: 'Operator: check the document in M3 (or the trigger\'s event mapping).' },
  M3_FIELD_INVALID: { errorClass: 'business', httpStatus: null, meaning: 'a value does not fit an M3 field by `mappings/m3-fields.yaml` (type, or longer than the field with `overflow: refuse`); the field is named, never the value', action: 'Operator: fix the data (or the field\'s rule in m3-fields.yaml), then replay.' },
});

const rules = group('rules', {
  RULES_INVALID: {
    errorClass: 'configuration',
    httpStatus: null,
    meaning: 'a file in `mappings/` is missing or wrong; the start stops and the message lists `file:line:column path: problem` for each',
    action: 'Operator: fix each listed problem (or run the gateway with the shipped `mappings/`).',
    variants: [{ errorClass: 'business', httpStatus: 422, when: 'edited rules uploaded in the operator app fail validation; `errors` has `file:line path` and the message of each problem' }],
  },
  IONAPI_INVALID: {
    errorClass: 'configuration',
    httpStatus: null,
    meaning: 'the `.ionapi` file is unreadable, not JSON, or misses/has a bad key (the message names each)',
    action: 'Operator: download the file again (ION API or API Gateway › Authorized Apps › Download Credentials) and point `IONAPI_FILE` at it.',
    variants: [{ errorClass: 'business', httpStatus: 422, when: 'an `.ionapi` uploaded in the operator app is not JSON or misses/has a bad key (`errors` names each; the content is never echoed)' }],
  },
  IONAPI_NO_SERVICE_ACCOUNT: { errorClass: 'configuration', httpStatus: null, meaning: 'password grant configured but the `.ionapi` has no `saak`/`sask`', action: 'Operator: download the file with "Create Service Account", or set `INFOR_GRANT=client_credentials`.' },
});

const money = group('money', {
  MONEY_NOT_A_STRING: { errorClass: 'business', httpStatus: 422, meaning: 'an amount given as a number (floats lose cents) or not at all: amounts are decimal strings', action: 'Caller: send amounts as strings, e.g. `"12.30"`.' },
  MONEY_INVALID_AMOUNT: { errorClass: 'business', httpStatus: 422, meaning: 'an amount that is not a plain decimal (`1e3`, `1,000.00`, `+1`, `.50`, `NaN`)', action: 'Caller: send a plain decimal string.' },
  MONEY_TOO_MANY_DECIMALS: { errorClass: 'business', httpStatus: 422, meaning: 'more decimals than the currency has (`12.345` USD); never rounded away', action: 'Caller: send the amount in the currency\'s minor unit.' },
  MONEY_UNKNOWN_CURRENCY: { errorClass: 'business', httpStatus: 422, meaning: 'not an ISO 4217 currency code', action: 'Caller (or M3 data): use the ISO code, e.g. `USD`.' },
  MONEY_NOT_PAYTRACE_SCALE: { errorClass: 'business', httpStatus: 422, meaning: 'a PayTrace amount in a currency without 2 decimals (PayTrace v1 is USD only)', action: 'Caller: charge USD amounts only.' },
  MONEY_CURRENCY_MISMATCH: { errorClass: 'bug', httpStatus: 500, meaning: 'arithmetic across two currencies', action: 'Operator: report it with the dead letter or request id.' },
  MONEY_BAD_ALLOCATION: { errorClass: 'bug', httpStatus: 500, meaning: 'an allocation with no, negative or all-zero ratios', action: 'Operator: report it with the dead letter or request id.' },
  CURRENCY_RATE_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'a CRS055MI rate record with a zero/negative ARAT or RAFA, a DMCU other than 1/2, a bad CRTP or CUTD', action: 'Operator: correct the rate in M3 (CRS055), then replay.' },
  CURRENCY_RATE_MISSING: { errorClass: 'configuration', httpStatus: 500, meaning: 'no CRS055 rate of the configured type for the pair on or before the date', action: 'Operator: maintain the rate in CRS055 (or fix `rateType` in `mappings/currency-policy.yaml`), then replay.' },
  CURRENCY_RATE_STALE: { errorClass: 'configuration', httpStatus: 500, meaning: 'the newest rate is older than `maxRateAgeDays` (`mappings/currency-policy.yaml`)', action: 'Operator: enter a current rate in CRS055 (or raise `maxRateAgeDays`), then replay.' },
  CURRENCY_RATE_MISMATCH: { errorClass: 'bug', httpStatus: 500, meaning: 'a rate of another currency pair was passed in', action: 'Operator: report it with the dead letter.' },
});

const ledger = group('ledger', {
  LEDGER_TRANSITION_REFUSED: { errorClass: 'business', httpStatus: 422, meaning: 'an event would move a payment backwards (e.g. settled → captured)', action: 'Operator: look at the payment\'s trace; if the event is right, the `transitions` in `mappings/status-map.yaml` are missing it.' },
  REFUND_EXCEEDS_CAPTURED: { errorClass: 'business', httpStatus: 422, meaning: 'refunds add up to more than was captured', action: 'Caller: refund at most what remains; the payment\'s refunds are in its trace.' },
  REFUND_EXCEEDS_REMAINING: { errorClass: 'business', httpStatus: 422, meaning: 'a (partial) refund above what remains refundable', action: 'Caller: refund at most what remains.' },
  REFUND_AMOUNT_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'a refund amount of zero or less', action: 'Caller: send a positive amount.' },
});

const gl = group('gl', {
  GL_NO_RULE: { errorClass: 'configuration', httpStatus: 500, meaning: 'no rule in `mappings/gl-rules.yaml` fits the payment\'s type/brand/method/company/division', action: 'Operator: add a rule (or a catch-all) in `mappings/gl-rules.yaml`, then replay.' },
  GL_UNBALANCED: { errorClass: 'bug', httpStatus: 500, meaning: 'a GL batch whose debits and credits differ (never sent to M3)', action: 'Operator: report it with the rule name in the message; nothing was posted.' },
  GL_EMPTY_BATCH: { errorClass: 'business', httpStatus: 422, meaning: 'a GL posting of zero', action: 'Operator: nothing to post; abandon the dead letter with a reason.' },
  GL_FEE_EXCEEDS_GROSS: { errorClass: 'business', httpStatus: 422, meaning: 'a fee larger than the payment it belongs to', action: 'Operator: check the fee in PayTrace\'s batch data; post by hand in M3 if it is right.' },
  GL_NEGATIVE_AMOUNT: { errorClass: 'bug', httpStatus: 500, meaning: 'a negative GL amount (reversals are their own transaction types)', action: 'Operator: report it; nothing was posted.' },
});

const matching = group('matching', {
  REFERENCE_FIELD_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'a reference part (division, year, invoice, order) missing or not alphanumeric', action: 'Caller/operator: check the invoice or order data the reference is built from.' },
  REFERENCE_TOO_LONG: { errorClass: 'configuration', httpStatus: 500, meaning: 'the reference template gives more than PayTrace\'s 50-character `invoice_id`', action: 'Operator: shorten the reference template (`reference.templates` in `mappings/matching.yaml`).' },
  ADDRESS_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'an address M3 cannot take; `details.problems` lists each `{field, code}` (codes below)', action: 'Caller/operator: correct the address at its source (the customer record or the order), then replay.' },
});

const bod = group('bod', {
  BOD_TOO_LARGE: { errorClass: 'business', httpStatus: 413, meaning: 'a BOD over `infor.imsMaxBodyBytes`; the inbox keeps its first 256 KB as `rejected`', action: 'Operator: check the sending ION flow; raise `infor.imsMaxBodyBytes` only if such documents are legitimate.' },
  BOD_DOCTYPE_REFUSED: { errorClass: 'business', httpStatus: 400, meaning: 'a BOD with a `<!DOCTYPE` or `<!ENTITY` declaration (XXE, entity bombs): refused before parsing', action: 'Operator: find who sent it (the inbox row); ION never sends a DOCTYPE.' },
  BOD_MALFORMED_XML: { errorClass: 'business', httpStatus: 400, meaning: 'not well-formed XML 1.0 (mismatched or unclosed tags, duplicate attributes, undeclared entities, disallowed characters, more than one root); the message gives line and column', action: 'Operator: fix the sending mapping in ION; the refused document is in the inbox.' },
  BOD_TOO_DEEP: { errorClass: 'business', httpStatus: 400, meaning: 'elements nested deeper than `infor.bodMaxDepth` (that many levels pass, one more is refused)', action: 'Operator: check the sender; raise `infor.bodMaxDepth` only for legitimate documents.' },
  BOD_ENCODING_INVALID: { errorClass: 'business', httpStatus: 400, meaning: 'a BOD whose bytes are not valid UTF-8, or that declares another encoding (ION sends UTF-8): refused, never silently repaired', action: 'Operator: fix the sending mapping in ION; the refused document is in the inbox.' },
  BOD_CARD_DATA_REFUSED: { errorClass: 'business', httpStatus: 422, meaning: 'a BOD carrying a card number (Luhn-valid) or a card-data element (CSC, CVV, track data, …): refused with a ConfirmBOD naming this code; the inbox keeps only a copy with the card data masked', action: 'Operator: find the sender (the inbox row) and stop it sending card data: M3 and ION must only hold PayTrace ids and masked cards (PCI).' },
  BOD_WRONG_NAMESPACE: { errorClass: 'business', httpStatus: 400, meaning: 'the root element (as the XML parser reads it: comments before it do not count) is not in `http://schema.infor.com/InforOAGIS/2`', action: 'Operator: fix the sending mapping in ION.' },
  BOD_NOT_A_BOD: { errorClass: 'business', httpStatus: 400, meaning: 'the root element is not Verb+Noun (e.g. `SyncInvoice`)', action: 'Operator: fix the sending mapping in ION.' },
  BOD_MISSING_FIELD: { errorClass: 'business', httpStatus: 400, meaning: 'a required element is missing (details name it, e.g. `ApplicationArea/BODID`)', action: 'Operator: fix the sending mapping in ION (or the M3 data behind it), then have ION resend.' },
  BOD_INVALID_VALUE: { errorClass: 'business', httpStatus: 400, meaning: 'an element has a value we refuse (an amount that is not a plain decimal, a status outside the list, an accounting entity that is not `CONO_DIVI`); details name the field', action: 'Operator: fix the value at its source, then have ION resend.' },
  BOD_UNKNOWN_NOUN: { errorClass: 'business', httpStatus: 422, meaning: 'a `Verb.Noun` the gateway does not take, or no handler is registered for it: kept in the inbox as `rejected`, ConfirmBOD sent to ION', action: 'Operator: remove the document from the ION connection point\'s subscriptions, or enable the flow that handles it.' },
});

const ims = group('ims', {
  IMS_NOT_MULTIPART: { errorClass: 'business', httpStatus: 415, meaning: 'an `/ims` multipartMessage that is not `multipart/form-data`', action: 'Operator: check the IMS connection point in ION and any proxy between ION and the gateway.' },
  IMS_MALFORMED_MULTIPART: { errorClass: 'business', httpStatus: 400, meaning: 'a multipart body that cannot be read', action: 'None if rare (a cut connection; ION resends); else check proxies between ION and the gateway.' },
  IMS_PART_MISSING: { errorClass: 'business', httpStatus: 400, meaning: 'no `MessagePayload` part', action: 'Operator: check the connection point configuration in ION.' },
  IMS_BAD_PARAMETERS: { errorClass: 'business', httpStatus: 400, meaning: 'the `ParameterRequest` part is not a JSON object', action: 'Operator: check the connection point configuration in ION.' },
  IMS_WRONG_TENANT: { errorClass: 'business', httpStatus: 403, meaning: '`X-TenantId` names another tenant than the `.ionapi`', action: 'Operator: point the connection point at this tenant\'s gateway, or load this tenant\'s `.ionapi`.' },
  INFOR_TOKEN_MISSING: { errorClass: 'business', httpStatus: 401, meaning: 'an `/ims` or API call without a bearer token', action: 'Caller: send an Infor OS token (ION does this when the connection point uses OAuth).' },
  INFOR_TOKEN_INVALID: { errorClass: 'business', httpStatus: 401, meaning: 'an Infor OS token that is expired, forged (bad signature), from another issuer, for another audience (`infor.tokenAudience`), of a client not in `infor.tokenClients`, or an ID token instead of an access token (`details.reason`)', action: 'Caller: get a fresh token from this tenant\'s Infor OS.' },
});

const inforOs = group('inforOs', {
  INFOR_OS_AUTH_REJECTED: { errorClass: 'configuration', httpStatus: 500, meaning: 'Infor OS refused our credentials (`invalid_client`, `invalid_grant`, …): wrong or revoked app/service account', action: 'Operator: download a new `.ionapi` (and service account) from Infor OS.' },
  INFOR_OS_UNAVAILABLE: { errorClass: 'transient', httpStatus: 503, meaning: 'the Infor OS token endpoint or key set could not be reached, answered 5xx/429 or timed out', action: 'None: retried. If it persists, check Infor OS status and the network.' },
  INFOR_OS_BAD_RESPONSE: { errorClass: 'transient', httpStatus: 503, meaning: 'Infor OS answered something that is not a usable token response', action: 'None: retried. If it persists, check the token URL (`pu` + `ot`) in the `.ionapi`.' },
});

const m3 = group('m3', {
  M3_NOK: { errorClass: 'business', httpStatus: 422, meaning: 'M3 refused the transaction; details `{program, transaction, m3Code, field, type}` (e.g. XIM0002 on CUNO)', action: 'Operator: read M3\'s message, fix the data in M3 (or the mapping), then replay.' },
  M3_TRANSACTION_NOT_FOUND: { errorClass: 'configuration', httpStatus: 422, meaning: 'the program/transaction does not exist on this M3', action: 'Operator: check the M3 version and that the MI program is installed and authorized (MRS001).' },
  M3_ORDER_REFUSED: { errorClass: 'business', httpStatus: 422, meaning: 'M3 refused a batch customer order; `details.messages` has its batch-entry messages (OIS275)', action: 'Operator: fix what the messages name (customer, item, warehouse), then replay.' },
  M3_TIMEOUT: { errorClass: 'transient', httpStatus: 503, meaning: 'no answer within `infor.m3TimeoutMs`; for a write `details.unknownOutcome` is true: look up before retrying', action: 'None: retried, a write after a lookup.' },
  M3_UNAVAILABLE: { errorClass: 'transient', httpStatus: 503, meaning: 'M3 / ION API answered 5xx (`unknownOutcome` for writes)', action: 'None: retried. If it persists, check M3 and ION API Gateway.' },
  M3_RATE_LIMITED: { errorClass: 'transient', httpStatus: 503, meaning: 'ION API answered 429', action: 'None: retried. If frequent, lower the flow concurrency.' },
  M3_CONNECTION: { errorClass: 'transient', httpStatus: 503, meaning: 'connection refused (`unknownOutcome: false`) or dropped (`unknownOutcome: true` for writes)', action: 'None: retried. If it persists, check `pu`/`M3_BASE_URL` and the network.' },
  M3_BAD_RESPONSE: { errorClass: 'transient', httpStatus: 503, meaning: 'M3 answered without a JSON object', action: 'None: retried. If it persists, check the M3 base URL (a proxy answering HTML?).' },
  M3_AUTH_FAILED: { errorClass: 'configuration', httpStatus: 500, meaning: 'ION API answered 401 even with a fresh token', action: 'Operator: check the `.ionapi` app and its service account in Infor OS.' },
  M3_FORBIDDEN: { errorClass: 'configuration', httpStatus: 500, meaning: 'ION API answered 403', action: 'Operator: give the service account\'s M3 user access to the MI programs it calls (function security in M3).' },
  M3_UNEXPECTED_STATUS: { errorClass: 'bug', httpStatus: 500, meaning: 'any other HTTP status from M3', action: 'Operator: report it with the status in the details.' },
});

const ion = group('ion', {
  ION_REJECTED: { errorClass: 'business', httpStatus: null, meaning: 'ION refused a BOD we sent (4xx)', action: 'Operator: read ION\'s answer in the message; check the document name and connection point, then replay.' },
  ION_AUTH_FAILED: { errorClass: 'configuration', httpStatus: null, meaning: 'ION answered 401/403: our client id is not the one of the IMS connection point, or `fromLogicalId` differs', action: 'Operator: align `ION_LOGICAL_ID` and the `.ionapi` client with the connection point.' },
  ION_UNAVAILABLE: { errorClass: 'transient', httpStatus: null, meaning: 'ION could not be reached or answered 5xx/429', action: 'None: retried (ION recognises a resend by its BODID).' },
  ION_TIMEOUT: { errorClass: 'transient', httpStatus: null, meaning: 'ION did not answer in time', action: 'None: retried (ION recognises a resend by its BODID).' },
});

const paytrace = group('paytrace', {
  PAYTRACE_TIMEOUT: { errorClass: 'transient', httpStatus: 503, meaning: 'a PayTrace call took longer than `PAYTRACE_TIMEOUT_MS`', action: 'None: retried (money movements are looked up first).' },
  PAYTRACE_SERVER_ERROR: { errorClass: 'transient', httpStatus: 503, meaning: 'PayTrace answered 5xx', action: 'None: retried. If it persists, check PayTrace\'s status page.' },
  PAYTRACE_RATE_LIMITED: { errorClass: 'transient', httpStatus: 503, meaning: 'PayTrace answered 429: the request was not processed, retry later', action: 'None: retried. If frequent, lower the flow concurrency.' },
  PAYTRACE_CONNECTION: { errorClass: 'transient', httpStatus: 503, meaning: 'the connection to PayTrace failed or was dropped', action: 'None: retried. If it persists, check `PAYTRACE_BASE_URL` and the network.' },
  PAYTRACE_BAD_RESPONSE: {
    errorClass: 'transient',
    httpStatus: 503,
    meaning: 'PayTrace answered with something that is not a JSON object, or a token/Protect key answer without the key',
    action: 'None: retried. If it persists, check `PAYTRACE_BASE_URL`.',
    variants: [{ errorClass: 'configuration', httpStatus: 500, when: 'the token or Protect client-key endpoint answered 401/403: check the API user\'s permissions' }],
  },
  PAYTRACE_UNKNOWN_OUTCOME: { errorClass: 'transient', httpStatus: 503, meaning: 'a sale/authorization/capture/void/refund whose answer was lost: looked up (`lookupTransaction`) before any retry; see [paytrace.md](paytrace.md)', action: 'None: the retry starts with the lookup. A dead letter of it: check the transaction in PayTrace before replaying.' },
  PAYTRACE_INVALID_CREDENTIALS: { errorClass: 'configuration', httpStatus: 500, meaning: 'PayTrace refused the API user (`invalid_grant`)', action: 'Operator: check `PAYTRACE_USERNAME`/`PAYTRACE_PASSWORD` and sandbox vs production host.' },
  PAYTRACE_TOKEN_REJECTED: { errorClass: 'configuration', httpStatus: 500, meaning: 'PayTrace rejected a freshly issued token', action: 'Operator: check that the API user has API access and the host is the one that issued the token.' },
  PAYTRACE_KEYED_CARD_DISABLED: { errorClass: 'configuration', httpStatus: 500, meaning: 'a keyed card operation on a client without `allowKeyedCard` (test-only)', action: 'Operator: none in production: cards go through PayTrace Protect only.' },
  PAYTRACE_INVALID_AMOUNT: {
    errorClass: 'business',
    httpStatus: 400,
    meaning: 'an amount that is not a positive string with two decimals, refused before the call',
    action: 'Caller: send the amount as a positive decimal string with two decimals.',
    variants: [{ errorClass: 'bug', httpStatus: 500, when: 'our own cents arithmetic gave something that is not a whole number of cents' }],
  },
  PAYTRACE_AMOUNT_TOO_PRECISE: {
    errorClass: 'business',
    httpStatus: 502,
    meaning: 'PayTrace sent an amount with more than two decimals (`"10.005"`): refused, never rounded. An export or batch record keeps no amount and says why (`amountRefused`); a lookup that needs the amount stops with this code',
    action: 'Operator: look the transaction up in the PayTrace Virtual Terminal and raise it with PayTrace; the event or dead letter keeps the record as sent (`raw`), replay it once the amount is known.',
  },
  PAYTRACE_INVALID_REQUEST: { errorClass: 'business', httpStatus: 422, meaning: 'another field refused before the call (ids, `invoiceId` over 50 characters, …)', action: 'Caller: fix the field named in `errors`.' },
  PAYTRACE_DECLINED: {
    errorClass: 'business',
    httpStatus: 422,
    meaning: '`expectApproved` on a declined or auto-voided (103) transaction',
    action: 'Caller: ask the customer for another card; nothing was charged.',
    variants: [{ errorClass: 'configuration', httpStatus: 500, when: 'PayTrace says the API user lacks the permission (981)' }],
  },
  PAYTRACE_REJECTED: {
    errorClass: 'business',
    httpStatus: 422,
    meaning: '`expectApproved` on a PayTrace error answer (`response_code` 1 with field messages)',
    action: 'Caller: fix the fields in `details.fieldErrors`.',
    variants: [
      { errorClass: 'configuration', httpStatus: 500, when: 'PayTrace says the API user lacks the permission (981): grant it in PayTrace' },
      { errorClass: 'transient', httpStatus: 503, when: 'a transaction lookup failed: retried' },
    ],
  },
});

const invoicePayment = group('invoicePayment', {
  PAYMENT_MISSING: { errorClass: 'bug', httpStatus: null, meaning: 'an invoice-payment job names a payment that does not exist', action: 'Operator: report it with the dead letter.' },
  PAYMENT_INCOMPLETE: { errorClass: 'bug', httpStatus: null, meaning: 'a payment lacks its invoice or PayTrace transaction', action: 'Operator: report it with the dead letter.' },
  PAYMENT_TRANSACTION_NOT_FOUND: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace has no transaction with the id the payment names', action: 'Operator: check the transaction id in PayTrace; abandon the dead letter if the payment never happened.' },
  PAYMENT_TRANSACTION_NOT_PAID: { errorClass: 'business', httpStatus: null, meaning: 'the PayTrace transaction is not pending settlement or settled (declined, voided, …)', action: 'Operator: nothing was paid; abandon the dead letter with a reason.' },
  PAYMENT_AMOUNT_MISMATCH: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace charged another amount than the ledger says', action: 'Operator: compare the transaction in PayTrace with the payment; apply the cash in M3 by hand or refund, then abandon with a reason.' },
  PAYMENT_DECLINED: { errorClass: 'business', httpStatus: null, meaning: 'the card was declined (recorded as the payment\'s last error; the pay page answers status `declined`)', action: 'None: the customer may try another card.' },
  INVOICE_UNKNOWN: { errorClass: 'business', httpStatus: null, meaning: 'M3 has no invoice with the number/year the payment names in its company/division', action: 'Operator: the money is taken: find the right invoice and apply the cash in M3 by hand, or refund.' },
  INVOICE_CURRENCY_MISMATCH: { errorClass: 'business', httpStatus: null, meaning: 'the invoice is in another currency than the payment', action: 'Operator: apply the cash in M3 by hand (with a rate) or refund.' },
  INVOICE_ALREADY_PAID: { errorClass: 'business', httpStatus: null, meaning: 'the invoice was paid elsewhere meanwhile: the money is taken twice', action: 'Operator: review and refund the payment (or apply it to another invoice).' },
  INVOICE_OPEN_BELOW_PAYMENT: { errorClass: 'business', httpStatus: null, meaning: 'the invoice is open for less than was paid (partly paid elsewhere)', action: 'Operator: review; refund the difference or apply it as an on-account payment in M3.' },
});

const ecommerce = group('ecommerce', {
  ECOMMERCE_NOT_CONFIGURED: { errorClass: 'configuration', httpStatus: 503, meaning: 'the e-commerce endpoint has no signing secret (`ECOMMERCE_WEBHOOK_SECRET`)', action: 'Operator: set the secret shared with the storefront.' },
  WEBHOOK_HEADERS_MISSING: { errorClass: 'business', httpStatus: 401, meaning: 'a storefront notification without `webhook-id`, `webhook-timestamp` and `webhook-signature`', action: 'Caller: sign notifications per Standard Webhooks.' },
  WEBHOOK_BODY_NOT_JSON: { errorClass: 'business', httpStatus: 415, meaning: 'a storefront notification that is not `application/json`', action: 'Caller: send JSON.' },
  WEBHOOK_SIGNATURE_INVALID: { errorClass: 'business', httpStatus: 401, meaning: 'the notification\'s signature does not match (wrong secret or altered body)', action: 'Caller: sign with the shared secret over the exact body; operator: check both sides use the same secret.' },
  WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE: { errorClass: 'business', httpStatus: 401, meaning: 'the notification\'s timestamp is more than 5 minutes from now (replay protection)', action: 'Caller: send fresh notifications; check the storefront\'s clock.' },
  ECOMMERCE_NOTIFICATION_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'the notification does not match the `order.paid` contract (`errors` per field)', action: 'Caller: fix the fields named in `errors`.' },
  ECOMMERCE_TRANSACTION_NOT_FOUND: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace has no transaction with the id the notification names', action: 'Operator: check the storefront\'s transaction id; abandon the dead letter if the order was never paid.' },
  ECOMMERCE_TRANSACTION_NOT_PAID: { errorClass: 'business', httpStatus: null, meaning: 'the transaction is not a paid sale (declined, voided, not settled)', action: 'Operator: tell the storefront the order is unpaid; abandon with a reason.' },
  ECOMMERCE_CURRENCY_UNSUPPORTED: { errorClass: 'business', httpStatus: null, meaning: 'the notification is not in USD; PayTrace charges in USD only', action: 'Operator: handle the order by hand; fix the storefront.' },
  ECOMMERCE_AMOUNT_UNKNOWN: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace did not report the transaction\'s amount', action: 'Operator: check the transaction in PayTrace, then replay.' },
  ECOMMERCE_AMOUNT_MISMATCH: { errorClass: 'business', httpStatus: null, meaning: 'the storefront claims another amount than PayTrace charged (`details.claimed`, `details.paid`)', action: 'Operator: check the order with the storefront; no M3 order was created.' },
  ECOMMERCE_TRANSACTION_REUSED: { errorClass: 'business', httpStatus: null, meaning: 'the PayTrace transaction already paid another order of ours', action: 'Operator: the storefront sent one transaction for two orders: check with it; abandon with a reason.' },
});

const refund = group('refund', {
  REFUND_REQUEST_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'the refund request does not match the contract (`errors` per field)', action: 'Caller: fix the fields named in `errors`.' },
  REFUND_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'no refund with that id', action: 'Caller: check the refund id.' },
  REFUND_ORIGINAL_UNKNOWN: { errorClass: 'business', httpStatus: null, meaning: 'no payment of ours has the PayTrace transaction to refund', action: 'Operator: check the transaction id; refund in PayTrace by hand if it is not ours.' },
  REFUND_ORIGINAL_INCOMPLETE: { errorClass: 'business', httpStatus: null, meaning: 'the payment to refund has no amount recorded', action: 'Operator: look at the payment\'s trace; refund by hand.' },
  REFUND_ID_REUSED: { errorClass: 'business', httpStatus: null, meaning: 'the refund id was already used for another refund (other payment or amount)', action: 'Caller: use a new refund id for each refund.' },
  REFUND_NEEDS_SETTLEMENT: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace has not settled the sale, so only a void of the whole amount is possible, and this refund is partial (or follows an earlier one)', action: 'Operator: replay the dead letter after settlement (usually the next day).' },
  REFUND_VOID_REFUSED: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace refused the void of an unsettled sale, and the refund asked for again after it', action: 'Operator: read PayTrace\'s two messages (details: responseCode, refundResponseCode); replay after settlement as a refund.' },
  REFUND_REFUSED: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace refused the refund (`details.responseCode`, `details.fieldErrors`)', action: 'Operator: read PayTrace\'s message; refund by hand if needed, then abandon with a reason.' },
  VOID_REFUSED: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace refused a void (`details.responseCode`)', action: 'Operator: read PayTrace\'s message; refund after settlement instead.' },
});

const chargeback = group('chargeback', {
  CHARGEBACK_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'the chargeback does not match the contract (`errors` per field)', action: 'Caller: fix the fields named in `errors`.' },
  CHARGEBACK_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'no chargeback case with that number', action: 'Caller: check the case number.' },
  CHARGEBACK_CASE_CONFLICT: { errorClass: 'business', httpStatus: 409, meaning: 'the case number was already received with another transaction or amount (`details.stored`)', action: 'Caller: a case number is one dispute; check the report or the request.', variants: [{ errorClass: 'business', httpStatus: null, when: 'the flow met the conflict (two notices of the case arrived at once): the notice is a dead letter' }] },
  CHARGEBACK_TRANSACTION_UNKNOWN: { errorClass: 'business', httpStatus: null, meaning: 'no payment of ours has the disputed PayTrace transaction: the case waits in review', action: 'Operator: find the payment (another system, a manual sale); book the chargeback by hand and close the case.' },
  CHARGEBACK_BOOKING_PENDING: { errorClass: 'business', httpStatus: null, meaning: 'a case was won while its booking (CB-<case>: receipt reversal and GL) had not completed', action: 'Operator: replay the booking\'s dead letter, then this one: the payment is reapplied only after the chargeback is booked.' },
  CHARGEBACK_REPORT_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'the chargeback report cannot be read: not CSV, a required column missing, too large or too many rows (`details`)', action: 'Operator: export the report again from the PayTrace portal, or fix the column mapping of the `report` trigger in mappings/flows/chargeback.yaml.', variants: [{ errorClass: 'business', httpStatus: 415, when: 'POST /api/chargebacks/reports with a body that is not text/csv' }] },
  CHARGEBACK_REPORT_CARD_DATA: { errorClass: 'business', httpStatus: 422, meaning: 'the report carries a full card number (a Luhn-valid run of 13–19 digits) in a column the mapping does not use as a masked card: it is refused and not stored', action: 'Operator: export the report with masked card numbers; delete the file that was uploaded.' },
  CHARGEBACK_NOT_IN_REVIEW: { errorClass: 'business', httpStatus: 409, meaning: 'only a case in review (transaction not ours) is closed by hand; the flow moves the others', action: 'Operator: send the case\'s next stage (report, API or manual entry) instead.' },
  CHARGEBACK_EVIDENCE_UNAVAILABLE: { errorClass: 'business', httpStatus: 409, meaning: 'the case has no payment of ours to assemble evidence from (it is in review)', action: 'Operator: gather the evidence by hand.' },
});

const customerSync = group('customerSync', {
  VAULT_UPDATE_REFUSED: { errorClass: 'business', httpStatus: null, meaning: 'PayTrace refused the customer profile update (`details.fieldErrors`)', action: 'Operator: fix the customer data in M3 (address, e-mail, phone); the next change syncs again.' },
});

const webhooks = group('webhooks', {
  WEBHOOK_SUBSCRIBER_UNKNOWN: { errorClass: 'configuration', httpStatus: null, meaning: 'a delivery for a subscriber that is no longer configured', action: 'Operator: abandon the dead letters, or configure the subscriber again and replay.' },
  WEBHOOK_EVENT_MISSING: { errorClass: 'bug', httpStatus: null, meaning: 'a delivery job names an event that does not exist', action: 'Operator: report it with the dead letter.' },
  WEBHOOK_UNREACHABLE: { errorClass: 'transient', httpStatus: null, meaning: 'the subscriber could not be reached or timed out', action: 'None: retried. If it persists, check the subscriber\'s URL.' },
  WEBHOOK_SUBSCRIBER_UNAVAILABLE: { errorClass: 'transient', httpStatus: null, meaning: 'the subscriber answered 5xx, 408 or 429', action: 'None: retried.' },
  WEBHOOK_REJECTED: { errorClass: 'business', httpStatus: null, meaning: 'the subscriber answered another non-2xx status (e.g. 400, 401 for a bad signature)', action: 'Operator: check the subscriber\'s secret and its logs, then replay the dead letter.' },
});

const admin = group('admin', {
  ADMIN_UNAUTHENTICATED: { errorClass: 'business', httpStatus: 401, meaning: 'an admin API call without a (valid, unexpired) operator session', action: 'Operator: sign in again.' },
  ADMIN_FORBIDDEN: { errorClass: 'business', httpStatus: 403, meaning: 'the operator\'s role is below the endpoint\'s (details name the role needed)', action: 'Operator: ask an admin for the role.' },
  ADMIN_CSRF: { errorClass: 'business', httpStatus: 403, meaning: 'a state-changing admin call without the session\'s `X-CSRF-Token`, or from another `Origin`', action: 'Operator: reload the app; caller: send the token from the session.' },
  ADMIN_BAD_REQUEST: { errorClass: 'business', httpStatus: 400, meaning: 'admin API parameters or body malformed (`errors` lists each field)', action: 'Caller: fix the fields in `errors`.' },
  ADMIN_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'no such payment / dead letter', action: 'Operator: check the id (search by reference in the trace view).' },
  ADMIN_LOGIN_STATE: { errorClass: 'business', httpStatus: 400, meaning: 'sign-in callback with an unknown, used or expired state', action: 'Operator: start the sign-in again.' },
  ADMIN_LOGIN_FAILED: { errorClass: 'business', httpStatus: 401, meaning: 'Infor OS refused the authorization code (PKCE, nonce or ID token check failed)', action: 'Operator: sign in again; if it persists, check `admin.oidc.*` against the Infor OS app.' },
  ADMIN_OIDC_NOT_CONFIGURED: { errorClass: 'configuration', httpStatus: 503, meaning: '`admin.oidc.*` is not set: nobody can sign in', action: 'Operator: set `ADMIN_OIDC_ISSUER`, `ADMIN_OIDC_CLIENT_ID` and `ADMIN_OIDC_CLIENT_SECRET`.' },
  ADMIN_OIDC_DISCOVERY: { errorClass: 'transient', httpStatus: 503, meaning: 'Infor OS discovery (`/.well-known/openid-configuration`) failed', action: 'Operator: retry; if it persists, check `ADMIN_OIDC_ISSUER` and the network.' },
  PAYTRACE_CREDENTIALS_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'PayTrace credentials entered in the operator app are incomplete or malformed (`errors` per field)', action: 'Operator: fill every field named in `errors`.' },
});

const links = group('links', {
  LINKS_NOT_CONFIGURED: { errorClass: 'configuration', httpStatus: 503, meaning: 'links need Infor (`infor.ionapiFile`) and PayTrace (`paytrace.baseUrl` or `links.protectScriptUrl`)', action: 'Operator: configure what the message names.' },
  LINK_REQUEST_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'a link (or cancel) request is malformed: give `invoiceNumber` + `invoiceYear`, or `orderNumber` (`errors` per field)', action: 'Caller: fix the fields in `errors`.' },
  LINK_API_KEY_INVALID: { errorClass: 'business', httpStatus: 401, meaning: 'the ION API suite credential header (`links.apiSuiteKeyHeader`) does not match `links.apiSuiteKey`', action: 'Operator: align the API suite\'s credential with `LINKS_API_SUITE_KEY`.' },
  LINK_INVOICE_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'M3 has no such invoice (OIS350MI/GetInvHead) in the company/division', action: 'Caller: check the invoice number, year and division.' },
  LINK_ORDER_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'M3 has no such customer order in the company', action: 'Caller: check the order number.' },
  LINK_INVOICE_PAID: { errorClass: 'business', httpStatus: 409, meaning: 'the invoice\'s open amount (RAFC) is zero: nothing to pay', action: 'None: tell the customer it is paid.' },
  LINK_ORDER_NOT_INVOICED: { errorClass: 'business', httpStatus: 409, meaning: 'the order has no open invoice (not invoiced yet, or paid)', action: 'Caller: make the link once the order is invoiced.' },
  LINK_CURRENCY_NOT_SUPPORTED: { errorClass: 'business', httpStatus: 422, meaning: 'the invoice is not in USD; PayTrace v1 charges USD only', action: 'Caller: collect this invoice another way.' },
  LINK_M3_UNAVAILABLE: { errorClass: 'transient', httpStatus: 503, meaning: 'M3 did not answer while a link was being made; nothing was created', action: 'Caller: retry in a moment.' },
  LINK_PAYMENT_IN_PROGRESS: {
    errorClass: 'business',
    httpStatus: 409,
    meaning: 'the customer is paying the link right now (it cannot be replaced or cancelled for that minute)',
    action: 'Caller: retry in a minute.',
    variants: [{ errorClass: 'transient', httpStatus: null, when: 'in a flow (`links.create`, e.g. an invoice-link reminder): the run retries and then finds the link paid or free again' }],
  },
  LINK_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'no such link id', action: 'Caller: check the link id.' },
  LINK_NOT_OPEN: { errorClass: 'business', httpStatus: 409, meaning: 'the link is paid, expired, cancelled or superseded (`details.status`)', action: 'Caller: make a new link if the invoice is still open.' },
  LINK_EMAIL_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'the e-mail address to send the link to is missing or not an address', action: 'Caller: give a valid address.' },
  LINK_REQUEST_NOT_NEEDED: { errorClass: 'business', httpStatus: 409, meaning: '"send me a new link" on a link that is still open, or whose invoice is paid', action: 'Customer: pay with the link, or nothing (paid).' },
  LINK_CONFLICT: { errorClass: 'transient', httpStatus: 503, meaning: 'three rounds of concurrent link creation for one invoice did not settle', action: 'Caller: retry.' },
  EMAIL_NOT_CONFIGURED: { errorClass: 'configuration', httpStatus: null, meaning: '`links.mailTransport` is `smtp` without `links.smtpUrl`', action: 'Operator: set `SMTP_URL` (or `MAIL_TRANSPORT`).' },
  EMAIL_REJECTED: { errorClass: 'business', httpStatus: null, meaning: 'the SMTP server refused the message (5xx: kept `failed` in `email_outbox`)', action: 'Operator: read the SMTP answer in the message (bad address, relay denied); send again from the link.' },
  EMAIL_UNAVAILABLE: { errorClass: 'transient', httpStatus: null, meaning: 'the SMTP server could not be reached or answered 4xx', action: 'None: retried. If it persists, check `SMTP_URL`.' },
});

const invoiceLinks = group('invoiceLinks', {
  INVOICE_LINK_NO_EMAIL: { errorClass: 'business', httpStatus: null, meaning: 'a new invoice qualifies for an automatic payment link, but M3 has no usable e-mail address for its customer (CRS610 MAIL empty or not an address): it waits on the review list, no link was sent', action: 'Operator: add the address in M3 (CRS610), then **Retry** on the review list (`POST /admin/api/invoice-links/reviews/:id/retry`); or **Dismiss** it with a reason.' },
  INVOICE_LINK_REVIEW_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'no review item with that id', action: 'Caller: reload the review list.' },
  INVOICE_LINK_REVIEW_CLOSED: { errorClass: 'business', httpStatus: 409, meaning: 'the review item is no longer waiting (linked, paid or dismissed meanwhile; `details.status`)', action: 'Caller: reload the review list.' },
  INVOICE_LINK_FLOW_OFF: { errorClass: 'configuration', httpStatus: 503, meaning: 'the invoice-links flow is not published on this gateway, so a review item cannot be retried', action: 'Operator: publish the flow (`mappings/flows/invoice-links.yaml`, or the operator app).' },
});

const payPage = group('payPage', {
  LINK_INVALID: { errorClass: 'business', httpStatus: 404, meaning: 'the token is not one we signed (tampered, truncated, unknown, or signed for another expiry)', action: 'Customer: open the whole link from the e-mail; operator: send a new link.' },
  PAY_LINK_PAID: { errorClass: 'business', httpStatus: 409, meaning: 'paid already; a replayed submission charges nothing', action: 'None.' },
  PAY_LINK_EXPIRED: { errorClass: 'business', httpStatus: 410, meaning: 'the link expired', action: 'Operator: send a new link (the message tells the customer whom to ask).' },
  PAY_LINK_CANCELLED: { errorClass: 'business', httpStatus: 410, meaning: 'the link was cancelled (by an operator, or because the invoice was paid elsewhere)', action: 'Operator: send a new link if the invoice is still open.' },
  PAY_LINK_SUPERSEDED: { errorClass: 'business', httpStatus: 410, meaning: 'a newer link replaced this one (the amount due changed)', action: 'Customer: use the newer link.' },
  PAY_IN_PROGRESS: { errorClass: 'business', httpStatus: 409, meaning: 'another submission of the same link is being charged (double click)', action: 'Customer: wait; the page shows the outcome.' },
  PAY_AMOUNT_CHANGED: { errorClass: 'business', httpStatus: 409, meaning: 'the amount posted by the browser differs from the link\'s; nothing charged', action: 'Customer: reload the page.' },
  PAY_INVOICE_ALREADY_PAID: { errorClass: 'business', httpStatus: 409, meaning: 'M3 says the invoice is paid (elsewhere): the link is cancelled, nothing charged', action: 'None.' },
  PAY_AMOUNT_OUTDATED: { errorClass: 'business', httpStatus: 409, meaning: 'M3\'s open amount changed since the link was made: the link is superseded, nothing charged', action: 'Operator: send a new link for the new amount.' },
  PAY_M3_UNAVAILABLE: { errorClass: 'transient', httpStatus: 503, meaning: 'M3 could not be asked whether the invoice is still open; nothing charged, the link stays open', action: 'Customer: try again later; operator: check M3.' },
  PAY_REQUEST_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'Protect tokens or the billing name/ZIP missing', action: 'Customer: fill the form.' },
  PAY_CARD_DETAILS_REFUSED: { errorClass: 'business', httpStatus: 422, meaning: 'PayTrace refused the Protect tokens (expired/spent); nothing charged', action: 'Customer: enter the card again.' },
  PAY_NOT_CHARGED: { errorClass: 'business', httpStatus: 409, meaning: 'an attempt whose answer was lost was looked up and PayTrace has no record of it', action: 'Customer: enter the card again.' },
  PAY_ADDRESS_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'the billing address does not fit (`fieldErrors`: the address problems); nothing charged', action: 'Customer: correct the billing address.' },
  PAY_BODY_NOT_JSON: { errorClass: 'business', httpStatus: 415, meaning: 'a pay-page request that is not `application/json`', action: 'Caller: send JSON.' },
  PAY_KEY_RENEWALS: { errorClass: 'business', httpStatus: 429, meaning: 'the Protect client key of one link was renewed more than 6 times in 10 minutes', action: 'Customer: reload the page.' },
  PAY_UNAVAILABLE: { errorClass: 'transient', httpStatus: 503, meaning: 'PayTrace did not give a Protect client key; nothing charged', action: 'Customer: reload in a few minutes; operator: check PayTrace on /health.' },
  PAY_NO_RECEIPT: { errorClass: 'business', httpStatus: 404, meaning: 'the link has no receipt (not paid through the page)', action: 'None.' },
  PAY_RECEIPT_EMAIL_INVALID: { errorClass: 'business', httpStatus: 422, meaning: 'the e-mail address for the receipt is missing or not an address', action: 'Customer: enter an e-mail address.' },
  PAY_RECEIPT_EMAIL_LIMIT: { errorClass: 'business', httpStatus: 429, meaning: 'the receipt of this link was e-mailed 5 times already', action: 'Customer: print the receipt instead.' },
  PAY_ATTEMPT_NOT_SENT: { errorClass: 'business', httpStatus: null, meaning: 'the lookup of a lost attempt found nothing, and its single-use Protect tokens cannot be sent again (the payment\'s last error; the customer sees `PAY_NOT_CHARGED`)', action: 'None: the link is payable again.' },
});

const recon = group('recon', {
  RECON_REQUEST_INVALID: { errorClass: 'business', httpStatus: 422, meaning: '`from`/`to` not calendar dates (`YYYY-MM-DD`), `from` after `to`, an unknown `mode`, or `by` not `batch`/`day`; `fieldErrors` names the field', action: 'Caller: fix the field named.' },
  RECON_PERIOD_TOO_LONG: { errorClass: 'business', httpStatus: 422, meaning: 'the period is longer than `RECON_MAX_PERIOD_DAYS` (31)', action: 'Caller: split the period.' },
  RECON_RUN_NOT_FOUND: {
    errorClass: 'business',
    httpStatus: 404,
    meaning: 'no run with that id',
    action: 'Caller: check the run id.',
    variants: [{ errorClass: 'bug', httpStatus: null, when: 'a run job names a run that does not exist' }],
  },
  RECON_RUN_NOT_READY: { errorClass: 'business', httpStatus: 409, meaning: 'apply asked for a run whose dry run has not completed', action: 'Caller: wait for the dry run to complete.' },
  RECON_BUSY: { errorClass: 'transient', httpStatus: null, meaning: 'another run holds the reconciliation lock', action: 'None: the job retries.' },
  RECON_PAYTRACE_EXPORT_FAILED: { errorClass: 'transient', httpStatus: null, meaning: 'a batch export did not answer with a list; the run resumes with the batches it did not finish', action: 'None: retried.' },
  RECON_FIX_NOT_POSSIBLE: { errorClass: 'business', httpStatus: null, meaning: 'an automatic fix lacks what it needs (no invoice on the payment, M3 has no such invoice); the item shows `fix_status failed` and goes to review', action: 'Operator: fix the item by hand in M3 and mark it reviewed.' },
});

const mapping = group('mapping', {
  MAPPING_AMOUNT_INVALID: { errorClass: 'business', httpStatus: null, meaning: '`$amount` got something that is not a plain decimal, or more decimals than the currency has (never rounded)', action: 'Admin: map the amount field itself; caller: send a plain decimal.' },
  MAPPING_DATE_INVALID: { errorClass: 'business', httpStatus: null, meaning: 'a date function got text that is not a calendar date (yyyy-MM-dd, ISO date-time, yyyyMMdd or MM/DD/YYYY)', action: 'Admin: map a date field; caller: send a real date.' },
  MAPPING_STREET_FIELD: { errorClass: 'business', httpStatus: null, meaning: '`$street(lines, n)` with an `n` outside the street fields of the address rules', action: 'Admin: use 1 to the number of `streetFields`.' },
  MAPPING_EXPRESSION_INVALID: { errorClass: 'business', httpStatus: 400, meaning: 'an expression sent to the assistant is not valid JSONata (`details.position`)', action: 'Admin: fix the expression at the position named.' },
  MAPPING_FIELD_UNKNOWN: { errorClass: 'business', httpStatus: 400, meaning: 'feedback names a field the target does not have', action: 'Caller: use a field of the target.' },
  MAPPING_M3_UNAVAILABLE: { errorClass: 'configuration', httpStatus: 503, meaning: 'an `m3:` target without M3 configured (no metadata to read)', action: 'Operator: set `infor.ionapiFile`, or use the sandbox.' },
  MAPPING_RULES_MISSING: { errorClass: 'configuration', httpStatus: 503, meaning: 'the rules are not loaded yet', action: 'Operator: check the rules on /health.' },
  MAPPING_SAMPLE_INVALID: {
    errorClass: 'business',
    httpStatus: 400,
    meaning: 'the source sample is not a JSON object or array, or a key cannot be named in JSONata',
    action: 'Admin: give a JSON sample.',
    variants: [{ errorClass: 'business', httpStatus: null, when: '`npm run map`: the sample file is not JSON' }],
  },
  MAPPING_SAMPLE_TOO_DEEP: { errorClass: 'business', httpStatus: 400, meaning: 'the source sample is nested deeper than the bound', action: 'Admin: give a flatter sample.' },
  MAPPING_SAMPLE_UNREADABLE: { errorClass: 'business', httpStatus: null, meaning: '`npm run map`: the sample file cannot be read', action: 'Admin: check the path.' },
  MAPPING_TARGET_INVALID: { errorClass: 'business', httpStatus: 400, meaning: 'the target is not `m3:PROGRAM/Transaction`, `paytrace:<operation>` or `bod:<Noun>`', action: 'Admin: name the target in one of those forms.' },
  MAPPING_TARGET_NOT_FOUND: { errorClass: 'business', httpStatus: 404, meaning: 'M3 metadata, the PayTrace operations or the BOD catalogue do not know the target', action: 'Admin: check the program/transaction, operation or noun.' },
});

/** The tables by concern, in document order. */
export const ERROR_CODE_GROUPS = [http, infra, pipeline, rules, money, ledger, gl, matching, bod, ims, inforOs, m3, ion, paytrace, invoicePayment, ecommerce, refund, chargeback, customerSync, webhooks, admin, links, invoiceLinks, payPage, recon, mapping] as const;

export const ERROR_CODES = Object.assign({}, ...ERROR_CODE_GROUPS) as typeof http &
  typeof infra & typeof pipeline & typeof rules & typeof money & typeof ledger & typeof gl & typeof matching & typeof bod & typeof ims &
  typeof inforOs & typeof m3 & typeof ion & typeof paytrace & typeof invoicePayment & typeof ecommerce & typeof refund & typeof chargeback & typeof customerSync &
  typeof webhooks & typeof admin & typeof links & typeof invoiceLinks & typeof payPage & typeof recon & typeof mapping;

/** A registered error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes for a family of errors whose last part comes from elsewhere at run time. */
export interface ErrorCodePattern {
  /** e.g. `INFRA_<code>` */
  pattern: string;
  concern: Concern;
  errorClass: ErrorClass;
  httpStatus: number | null;
  meaning: string;
  action: string;
}

export const ERROR_CODE_PATTERNS: readonly ErrorCodePattern[] = [
  {
    pattern: 'INFRA_<code>',
    concern: 'infra',
    errorClass: 'transient',
    httpStatus: 503,
    meaning: `a connection-level failure; \`<code>\` is Node's (${TRANSIENT_NODE_CODES.map((c) => `\`${c}\``).join(', ')}) or PostgreSQL's SQLSTATE (${[...TRANSIENT_PG_CODES, ...TRANSIENT_PG_CLASSES.map((c) => `${c}…`)].map((c) => `\`${c}\``).join(', ')}: serialization failure, deadlock, shutdown, too many connections, connection exception)`,
    action: 'None: jobs retry. If it persists, the code names what to check (DNS, the host, PostgreSQL).',
  },
];

/** Codes that appear inside another error's details rather than as an error of their own. */
export interface DetailCodeInfo {
  concern: Concern;
  /** the error whose details carry it */
  parent: ErrorCode;
  meaning: string;
  action: string;
}

export const DETAIL_CODES: Readonly<Record<string, DetailCodeInfo>> = {
  ADDRESS_COUNTRY_MISSING: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'no country given and no default country configured', action: 'Fill the country, or set `defaultCountry` in `mappings/address-rules.yaml`.' },
  ADDRESS_COUNTRY_UNKNOWN: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'the country is not an ISO 3166 code or a known name', action: 'Correct the country, or add an alias in `countryAliases`.' },
  ADDRESS_REGION_MISSING: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'a country that needs a state/province (US, CA, …) without one', action: 'Fill the state/province.' },
  ADDRESS_REGION_UNKNOWN: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'the state/province is not one of the country\'s (an error where `regionRequired` lists the country, else a warning)', action: 'Correct the state/province (code or name).' },
  ADDRESS_REGION_NOT_CODED: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'warning: a region without a code that does not fit ECAR; it is left out', action: 'None, or shorten the region.' },
  ADDRESS_POSTAL_CODE_FORMAT: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'the postal code does not fit the country\'s format (`postalFormats`)', action: 'Correct the postal code.' },
  ADDRESS_STREET_MISSING: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'no street address', action: 'Fill the street.' },
  ADDRESS_STREET_OVERFLOW: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'the street text does not fit into the street fields (CUA1–CUA4)', action: 'Shorten the street lines.' },
  ADDRESS_FIELD_TRUNCATED: { concern: 'matching', parent: 'ADDRESS_INVALID', meaning: 'warning: a value longer than its M3 field was cut', action: 'None, or shorten the value at its source.' },
};

/** What the registry says about a code: its own entry, or the pattern it belongs to. */
export function describeErrorCode(code: string): (ErrorCodeInfo & { code: string; pattern?: string }) | undefined {
  const entry = (ERROR_CODES as Record<string, ErrorCodeInfo>)[code];
  if (entry) return { code, ...entry };
  const pattern = ERROR_CODE_PATTERNS.find((p) => patternRegExp(p.pattern).test(code));
  return pattern ? { code, concern: pattern.concern, errorClass: pattern.errorClass, httpStatus: pattern.httpStatus, meaning: pattern.meaning, action: pattern.action, pattern: pattern.pattern } : undefined;
}

/** `INFRA_<code>` → /^INFRA_[A-Z0-9_]+$/ */
export function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.split(/<[^>]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[A-Z0-9_]+')}$`);
}

/**
 * An AppError for a registered code: class and HTTP status come from the registry, so a throw
 * site names only what happened. A code answered only in background work gets its class's status.
 */
export function registeredError(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}): AppError {
  const entry: ErrorCodeInfo = ERROR_CODES[code];
  return new AppError(message, { code, errorClass: entry.errorClass, httpStatus: entry.httpStatus ?? undefined, details: options.details, cause: options.cause });
}
