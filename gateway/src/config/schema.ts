import { z } from 'zod';
import { Secret } from './secret';

const secretString = z
  .string()
  .min(1, 'must not be empty')
  .transform((value) => new Secret(value));

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();
/** Standard Webhooks signing secret: `whsec_` + base64 */
const webhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be a Standard Webhooks secret: whsec_<base64>')
  .transform((value) => new Secret(value));
/** API roles, each including the ones before it */
export const API_ROLES = ['m3-user', 'viewer', 'operator', 'admin'] as const;
const apiRole = z.enum(API_ROLES);
const logLevel = z.enum(['error', 'warn', 'info', 'http', 'debug']);

/** The whole configuration. Every key has a default unless it identifies a real system. */
export const configSchema = z
  .object({
    /** sandbox: embedded database + simulators; connected: real Infor OS, M3, ION and PayTrace. */
    mode: z.enum(['sandbox', 'connected']).default('sandbox'),
    http: z
      .object({
        port: port.default(8080),
        host: z.string().default('127.0.0.1'),
        publicBaseUrl: url.optional(),
        bodyLimitBytes: z.coerce.number().int().positive().max(50 * 1024 * 1024).default(1024 * 1024),
        trustProxy: z.union([z.boolean(), z.number().int(), z.string()]).default(false),
        /** a request whose headers have not all arrived by then is closed (slow clients, slowloris) */
        headersTimeoutMs: positiveMs.max(600_000).default(5_000),
        /** a request (headers and body) not received in full by then is closed */
        requestTimeoutMs: positiveMs.max(3_600_000).default(30_000),
        /** an idle keep-alive connection is closed after this */
        keepAliveTimeoutMs: positiveMs.max(600_000).default(5_000),
        /** connections open at once; more are refused at accept */
        maxConnections: z.coerce.number().int().min(1).max(100_000).default(1024),
      })
      .prefault({}),
    /**
     * Who may call /api/*: roles from the Infor OS access token (user roles/groups, or the client
     * app's own role), ordered m3-user < viewer < operator < admin, each including the ones before.
     */
    api: z
      .object({
        /** the token claim(s) with the user's Infor OS roles or groups, comma-separated (e.g. `roles,groups`) [inferred] */
        rolesClaim: z.string().min(1).default('roles'),
        /** Infor OS role/group names → our API roles [inferred names: map your tenant's] */
        roleMap: z.record(z.string(), apiRole).default({ 'm3-user': 'm3-user', viewer: 'viewer', operator: 'operator', admin: 'admin' }),
        /** client id (token `client_id`/`azp`) → the role every token of that backend-service app has */
        clientRoles: z.record(z.string(), apiRole).default({}),
      })
      .prefault({}),
    database: z
      .object({
        /** postgres://… ; when absent the gateway starts an embedded PostgreSQL. */
        url: secretString.optional(),
        poolMax: z.coerce.number().int().min(2).max(200).default(10),
        embedded: z
          .object({
            dataDir: z.string().default('.data/pg'),
            /** 0 = any free port */
            port: port.default(0),
          })
          .prefault({}),
      })
      .prefault({}),
    infor: z
      .object({
        /** Path of the Infor OS authorized-app credentials file (.ionapi). */
        ionapiFile: z.string().min(1).optional(),
        m3TimeoutMs: positiveMs.default(30_000),
        /** password = service account saak/sask (the standard backend flow); client_credentials for apps without one */
        grant: z.enum(['password', 'client_credentials']).default('password'),
        tokenScope: z.string().min(1).optional(),
        /** how client id/secret go to the token endpoint: form fields (post) or HTTP Basic */
        tokenClientAuth: z.enum(['post', 'basic']).default('post'),
        /** M3 MI REST base; default `{iu}/{ti}/M3/m3api-rest` */
        m3BaseUrl: url.optional(),
        /** extra attempts of a read transaction (Get/Lst/Search/Sel) after a transient failure; writes never retry */
        m3ReadRetries: z.coerce.number().int().min(0).max(10).default(2),
        /** the most M3 MI calls running at once for the tenant (the ION API gateway and M3 throttle); 429/503 lower it for a while */
        m3MaxConcurrentCalls: z.coerce.number().int().min(1).max(1000).default(32),
        /** tenant: one limit shared by every gateway on the database (slots held in PostgreSQL); process: each gateway has the whole limit */
        m3ConcurrencyScope: z.enum(['tenant', 'process']).default('tenant'),
        /** extra attempts of a call answered 429 (refused before it ran [inferred]), writes included, each after its Retry-After */
        m3ThrottleRetries: z.coerce.number().int().min(0).max(20).default(4),
        /** ION Messaging Service base; default `{iu}/{ti}/IONSERVICES/api/ion/messaging/service` */
        ionMessagingUrl: url.optional(),
        /** our IMS connection point's logical id (fromLogicalId, Sender/LogicalID) [inferred name] */
        ionLogicalId: z.string().regex(/^lid:\/\//, 'must start with lid://').default('lid://infor.ims.m3paytrace'),
        /** where our BODs go; lid://default lets ION's document flows route them */
        ionToLogicalId: z.string().regex(/^lid:\/\//, 'must start with lid://').default('lid://default'),
        ionComponentId: z.string().min(1).default('m3-paytrace-gateway'),
        /** IMS endpoints require an Infor OS bearer token verified against the JWKS */
        imsAuth: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(true),
        /** Infor OS JWKS; default `{pu}jwks.json` [inferred: set it for a real tenant] */
        jwksUrl: url.optional(),
        /** expected `iss` of Infor OS tokens; default pu without its trailing slash [inferred] */
        tokenIssuer: z.string().min(1).optional(),
        /** expected `aud` of Infor OS access tokens: the ION API gateway's [inferred]. ID tokens (aud = a web client) are refused */
        tokenAudience: z.string().min(1).default('infor-ionapi'),
        /** client ids (`client_id`/`azp`) whose access tokens are accepted; unset = any client of the tenant (a client is still required) */
        tokenClients: z.array(z.string().min(1)).min(1).optional(),
        /** largest BOD accepted on the IMS endpoints */
        imsMaxBodyBytes: z.coerce.number().int().positive().max(50 * 1024 * 1024).default(5 * 1024 * 1024),
        /** deepest element nesting accepted in a BOD */
        bodMaxDepth: z.coerce.number().int().min(10).max(500).default(40),
      })
      .prefault({}),
    paytrace: z
      .object({
        baseUrl: url.optional(),
        username: secretString.optional(),
        password: secretString.optional(),
        integratorId: z.string().min(1).max(12, 'PayTrace integrator ids are at most 12 characters').optional(),
        /** PayTrace sandbox calls were recorded at 7–19 s: keep this well above that. */
        timeoutMs: positiveMs.default(60_000),
      })
      .prefault({}),
    queue: z
      .object({
        /** pg-boss schema name inside the gateway database. */
        schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('pgboss'),
        retryLimit: z.coerce.number().int().min(0).max(100).default(8),
        /** first retry delay in seconds; doubles each attempt, with jitter */
        retryDelaySeconds: z.coerce.number().int().min(0).default(5),
        /**
         * a job still active after this long is taken as lost (its worker died) and runs again: longer than
         * the slowest flow (a few PayTrace and M3 calls at their timeouts), short enough to recover soon
         */
        expireInSeconds: z.coerce.number().int().positive().default(5 * 60),
        /** how often expired jobs (those of a crashed gateway) are failed back into retry; one instance does it per interval */
        maintenanceIntervalSeconds: z.coerce.number().int().min(1).max(3600).default(60),
        pollingIntervalSeconds: z.coerce.number().min(0.5).default(1),
      })
      .prefault({}),
    ecommerce: z
      .object({
        /** Standard Webhooks secret shared with the storefront (`whsec_<base64>`); without it the endpoint is closed. */
        webhookSecret: webhookSecret.optional(),
      })
      .prefault({}),
    webhooks: z
      .object({
        /** subscribers that receive our payment events, signed per Standard Webhooks */
        subscribers: z
          .array(
            z.object({
              name: z.string().min(1).max(64),
              url: url,
              secret: webhookSecret,
              /** event types to send; empty = all */
              types: z.array(z.string()).default([]),
            }),
          )
          .default([]),
        timeoutMs: positiveMs.default(10_000),
      })
      .prefault({}),
    /** the declarative rules files (mappings/*.yaml); a relative path is taken from the working directory */
    rules: z.object({ dir: z.string().min(1).default('mappings') }).prefault({}),
    poller: z
      .object({
        enabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(true),
        /** seconds between two reads of PayTrace's transaction and batch exports */
        intervalSeconds: z.coerce.number().min(1).default(60),
        initialLookbackDays: z.coerce.number().int().min(0).max(90).default(2),
        overlapDays: z.coerce.number().int().min(0).max(30).default(1),
      })
      .prefault({}),
    flows: z
      .object({
        /** M3 company (CONO) and division (DIVI) used when a trigger does not name them */
        company: z.coerce.number().int().positive().default(100),
        division: z.string().min(1).max(3).default('AAA'),
        /** the division's local currency (LOCD); amounts in another currency convert with CRS055 rates */
        localCurrency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
        /** CRS610MI customer template (CUTM) for customers created from web orders */
        customerTemplate: z.string().min(1).max(10).default('TEMPLATE'),
        /** AR payment method (PYCD) of card-paid orders */
        paymentMethod: z.string().min(1).max(3).default('CC'),
        /** third-party provider id (TRDP / 3RDP) that stands for PayTrace in CRS434 */
        provider: z.string().min(1).max(10).default('PAYTRACE'),
        /** ARS040 batch payment type (BOPE) of card receipts */
        receiptPaymentType: z.string().min(1).max(3).default('CC'),
        /** GLS850 interface (INTN) and its PARM layout: tenant-defined, so configurable */
        glInterfaceName: z.string().min(1).max(15).default('PAYTRACE'),
        /** CRCCINMI transaction type (TRTY, 2 characters) recorded for a captured card sale [inferred code] */
        cardSaleTransactionType: z.string().min(1).max(2).default('SA'),
        /** M3 card type codes (CTPY, CRS434) by card brand */
        cardTypeCodes: z
          .record(z.string(), z.string().min(1).max(2))
          .default({ visa: 'VI', mastercard: 'MC', amex: 'AX', discover: 'DI', diners: 'DC', jcb: 'JC', unknown: 'CC' }),
        /** seconds between CRS610MI pulls of changed customers (0 = only Sync.CustomerPartyMaster from ION) */
        customerPullIntervalSeconds: z.coerce.number().int().min(0).default(3600),
        /** seconds between two looks for invoice-link reminders that are due (0 = none are sent) */
        invoiceLinkReminderIntervalSeconds: z.coerce.number().int().min(0).default(300),
        /** seconds between ARS200MI pulls of new open invoices for the invoice-links flow (0 = only Sync.Invoice from ION) */
        invoicePullIntervalSeconds: z.coerce.number().int().min(0).default(0),
        /** how many jobs of each flow one gateway runs at once */
        concurrency: z.coerce.number().int().min(1).max(64).default(4),
        /** a folder the gateway watches for chargeback reports (CSV from the PayTrace portal); read files move to `done/` or `refused/` */
        chargebackReportDir: z.string().min(1).optional(),
        /** seconds between two looks into that folder */
        chargebackReportPollSeconds: z.coerce.number().int().min(1).default(60),
        /**
         * Infor OS callers (token `sub` or `client_id`) allowed to POST /api/chargebacks without an
         * operator role in their token (service accounts of other systems carry no roles claim)
         */
        chargebackApiCallers: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    /** the operator web app (/ui) and its admin API */
    admin: z
      .object({
        /** Infor OS web-application client for operator sign-in (authorization code + PKCE) */
        oidc: z
          .object({
            /** issuer = the .ionapi pu without its trailing slash; discovery at {pu}.well-known/openid-configuration */
            issuer: url,
            clientId: z.string().min(1),
            clientSecret: secretString.optional(),
            scope: z.string().min(1).default('openid profile email'),
            /** the token claim that lists the user's roles [inferred: Infor OS tenants map IFS security roles differently] */
            rolesClaim: z.string().min(1).default('roles'),
            /** the IdP role names that mean viewer / operator / admin [inferred] */
            roleMap: z.record(z.string(), z.enum(['viewer', 'operator', 'admin'])).default({ viewer: 'viewer', operator: 'operator', admin: 'admin' }),
          })
          .optional(),
        sessionTtlMinutes: z.coerce.number().int().min(5).max(24 * 60).default(8 * 60),
        alerts: z
          .object({
            enabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(true),
            intervalSeconds: z.coerce.number().min(1).default(60),
            /** open dead letters added within the window that raise an alert */
            dlqGrowth: z.coerce.number().int().min(1).default(5),
            dlqWindowMinutes: z.coerce.number().int().min(1).default(15),
            pollerLagSeconds: z.coerce.number().int().min(1).default(15 * 60),
            /** declined share of the last window's card attempts that raises an alert (0–1), with a minimum sample */
            declineRatio: z.coerce.number().min(0).max(1).default(0.3),
            declineMinSample: z.coerce.number().int().min(1).default(10),
            declineWindowMinutes: z.coerce.number().int().min(1).default(30),
            /** a chargeback case not yet answered raises an alert this many hours before its response deadline */
            chargebackDeadlineHours: z.coerce.number().int().min(1).max(24 * 60).default(72),
            /** who gets alert e-mails (through the outbox); none = alerts only in the UI */
            recipients: z.array(z.email()).default([]),
          })
          .prefault({}),
      })
      .prefault({}),
    links: z
      .object({
        /** how long a payment link stays payable */
        ttlDays: z.coerce.number().min(0.001).max(365).default(14),
        /** HMAC key of link ids; without it the gateway keeps a generated key in its database (shared by every instance) */
        signingSecret: secretString.optional(),
        /** the seller's name on the pay page and in e-mails */
        merchantName: z.string().min(1).max(80).default('Northwind Supply Co.'),
        /** who the customer asks for a new link */
        supportContact: z.string().min(1).max(120).default('your account manager'),
        /** the merchant's contact shown on the pay page (closed and invalid links, receipts) */
        supportEmail: z.email().max(254).optional(),
        supportPhone: z.string().regex(/^\+?[0-9 ().-]{5,30}$/, 'a phone number such as +1 509 555 0100').optional(),
        /** the merchant's logo on the pay page and in e-mails: an https URL, or a path on the gateway such as /pay/assets/logo.svg */
        merchantLogoUrl: z.string().max(500).refine((v) => /^\/(?!\/)[\w./-]+$/.test(v) || /^https:\/\/[^\s"'<>]+$/.test(v), 'an https:// URL or a path starting with /').optional(),
        /** IANA zone the receipts state their time in (the pay page also shows the payer's own zone) */
        timeZone: z.string().min(1).refine(isTimeZone, 'an IANA time zone such as America/Chicago').default('UTC'),
        /** who is told when a customer asks for a new link (besides the operator app); empty = admin.alerts.recipients */
        requestRecipients: z.array(z.email()).default([]),
        /** a Protect client key older than this is renewed before a card is submitted [inferred: PayTrace does not state the lifetime] */
        protectKeyMaxAgeSeconds: z.coerce.number().int().min(30).max(86_400).default(600),
        /** PayTrace Protect script; default `{paytrace.baseUrl}/js/protect.min.js` (the simulator serves it). Real: https://protect.paytrace.com/js/protect.min.js */
        protectScriptUrl: url.optional(),
        /** what sends link e-mails: a local capture kept in the outbox (sandbox) or SMTP */
        mailTransport: z.enum(['capture', 'smtp']).default('capture'),
        /** smtp(s)://user:pass@host:port */
        smtpUrl: secretString.optional(),
        mailFrom: z.string().min(3).default('Payments <payments@example.com>'),
        /** the API suite's target-endpoint API key: ION API adds it to every call it forwards (ion-bods/SETUP.md §2) */
        apiSuiteKey: secretString.optional(),
        apiSuiteKeyHeader: z.string().regex(/^[A-Za-z0-9-]+$/).default('x-m3pt-api-key'),
        /** the header the H5 script puts the M3 user (USID) in; recorded as the actor when the suite key is valid */
        apiSuiteUserHeader: z.string().regex(/^[A-Za-z0-9-]+$/).default('x-m3-user'),
      })
      .prefault({}),
    log: z.object({ level: logLevel.default('info') }).prefault({}),
    shutdown: z.object({ graceMs: positiveMs.default(25_000) }).prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.mode !== 'connected') return;
    // Connected mode talks to real systems: everything that identifies them is required.
    const required: Array<[unknown, string[]]> = [
      [config.database.url, ['database', 'url']],
      [config.infor.ionapiFile, ['infor', 'ionapiFile']],
      [config.paytrace.baseUrl, ['paytrace', 'baseUrl']],
      [config.paytrace.username, ['paytrace', 'username']],
      [config.paytrace.password, ['paytrace', 'password']],
      [config.paytrace.integratorId, ['paytrace', 'integratorId']],
      [config.http.publicBaseUrl, ['http', 'publicBaseUrl']],
    ];
    for (const [value, path] of required) {
      if (value === undefined) ctx.addIssue({ code: 'custom', path, message: 'is required in connected mode' });
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
