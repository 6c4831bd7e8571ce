/**
 * The gateway's API as OpenAPI 3.1: what the ION API gateway needs to register the gateway as an
 * API suite (the M3 users' H5 scripts and ION call it with Infor OS tokens), plus the public pay
 * page, the storefront webhook, the ION IMS endpoints and the operations endpoints. A contract
 * test (test/contract/openapi.test.ts) checks that every route the gateway answers is here.
 * The operator web app's own routes (/, /ui, /auth/*, /admin/api/*) are for its browser session
 * and are not part of this API.
 */

import { API_ROUTE_ROLES } from '../http/middleware/infor-auth';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const pathParam = (name: string, description: string, pattern?: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string', ...(pattern ? { pattern } : {}) } });
const bearer = [{ inforBearer: [] }];
/** the link API also takes the ION API suite's fixed credential (links.apiSuiteKey) */
const linkAuth = [{ inforBearer: [] }, { apiSuiteKey: [] }];
const body = (schema: Json, required = true) => ({ required, content: { 'application/json': { schema } } });

const LINK_ID = '^[A-Za-z0-9_-]{22}$';
const LINK_TOKEN = '^[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}$';

const schemas: Json = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; `code` is stable (docs/errors.md), `detail` is in plain words',
    required: ['type', 'title', 'status', 'code', 'errorClass'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string' },
      errorClass: { type: 'string', enum: ['transient', 'business', 'configuration', 'bug'] },
      requestId: { type: 'string' },
      roleNeeded: { type: 'string', enum: ['m3-user', 'viewer', 'operator', 'admin'], description: 'API_FORBIDDEN: the API role the operation needs' },
      rolesGranted: { type: 'array', items: { type: 'string' }, description: "API_FORBIDDEN: the caller's API roles" },
      reason: { type: 'string', description: 'INFOR_TOKEN_INVALID: why the token was refused' },
      errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  },
  Money: { type: 'string', pattern: '^\\d+\\.\\d{2}$', description: 'exact decimal amount with 2 decimals, never a float' },
  PaymentLinkRequest: {
    type: 'object',
    additionalProperties: false,
    description: 'An invoice (number and year) or an order (its open invoices each get a link). Company and division default to the configured ones.',
    properties: {
      company: { type: 'integer', description: 'M3 CONO' },
      division: { type: 'string', maxLength: 3, description: 'M3 DIVI' },
      invoiceNumber: { type: 'string', maxLength: 15, description: 'M3 IVNO (OIS350)' },
      invoiceYear: { type: 'integer', description: 'M3 YEA4, required with invoiceNumber' },
      orderNumber: { type: 'string', maxLength: 10, description: 'M3 ORNO (OIS300)' },
    },
  },
  PaymentLink: {
    type: 'object',
    required: ['id', 'url', 'status', 'amount', 'currency', 'invoice', 'customer', 'expiresAt', 'createdAt'],
    properties: {
      id: { type: 'string', pattern: LINK_ID },
      url: { type: 'string', format: 'uri', description: 'the signed link the customer opens' },
      status: { type: 'string', enum: ['open', 'paid', 'expired', 'cancelled', 'superseded'] },
      statusReason: { type: 'string' },
      amount: ref('Money'),
      currency: { type: 'string', enum: ['USD'] },
      invoice: {
        type: 'object',
        required: ['company', 'division', 'number', 'year'],
        properties: { company: { type: 'integer' }, division: { type: 'string' }, number: { type: 'string' }, year: { type: 'integer' }, order: { type: 'string' } },
      },
      customer: { type: 'object', required: ['number'], properties: { number: { type: 'string' }, name: { type: 'string' } } },
      dueDate: { type: 'string', format: 'date' },
      expiresAt: { type: 'string', format: 'date-time' },
      createdAt: { type: 'string', format: 'date-time' },
      reused: { type: 'boolean', description: 'the invoice already had this open link for the same amount' },
      qrCode: { type: 'string', description: 'SVG data URL of the link as a QR code' },
    },
  },
  ChargeRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['hpfToken', 'encKey', 'billingAddress'],
    description: 'PayTrace Protect tokens from the card iframe; never card data. `amount` is only compared with the link amount.',
    properties: {
      method: { type: 'string', enum: ['card'], default: 'card', description: 'how the payer pays; a bank account (ACH) will be a second value' },
      hpfToken: { type: 'string' },
      encKey: { type: 'string' },
      amount: { type: 'string' },
      billingAddress: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'zip'],
        properties: { name: { type: 'string' }, streetAddress: { type: 'string' }, city: { type: 'string' }, state: { type: 'string' }, zip: { type: 'string' }, country: { type: 'string' } },
      },
    },
  },
  ChargeOutcome: {
    type: 'object',
    required: ['status', 'httpStatus', 'message'],
    properties: {
      status: { type: 'string', enum: ['paid', 'declined', 'confirming', 'refused', 'open'] },
      httpStatus: { type: 'integer' },
      message: { type: 'string', description: 'what the customer sees (declines in the status map\'s payer words)' },
      code: { type: 'string' },
      fields: { type: 'array', items: { type: 'string' }, description: 'declined: the pay-page fields the payer should check again' },
      reason: { type: 'string', description: 'declined: the status-map rule that gave the words' },
      fieldErrors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } }, description: 'refused: a message per pay-page field' },
      reference: { type: 'string', description: 'the attempt reference PL-<link>-<n> (PayTrace invoice_id, M3 IRNO)' },
      transactionId: { type: 'integer' },
      amount: ref('Money'),
      linkStatus: { type: 'string' },
    },
  },
  ChargebackNotice: {
    type: 'object',
    description: 'A dispute at the processor. The case number and the stage are the idempotency key: the same pair twice is one event.',
    required: ['caseNumber', 'transactionId', 'amount'],
    additionalProperties: false,
    properties: {
      caseNumber: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,26}$' },
      transactionId: { type: ['string', 'integer'], description: 'the disputed PayTrace transaction' },
      amount: { type: 'string', pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description: 'disputed amount, decimal text' },
      fee: { type: 'string', pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description: "the processor's chargeback fee (default 0.00)" },
      currency: { type: 'string', enum: ['USD'] },
      stage: { type: 'string', enum: ['received', 'evidence_submitted', 'won', 'lost', 'accepted'], default: 'received' },
      reasonCode: { type: 'string', maxLength: 20 },
      reason: { type: 'string', maxLength: 200 },
      receivedOn: { type: 'string', format: 'date' },
      respondBy: { type: 'string', format: 'date', description: 'the response deadline (alerts come before it)' },
    },
  },
  RefundRequest: {
    type: 'object',
    required: ['refundId', 'originalTransactionId', 'amount'],
    properties: {
      refundId: { type: 'string', maxLength: 40 },
      originalTransactionId: { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\d{1,18}$' }] },
      amount: { type: 'string', pattern: '^\\d{1,13}(\\.\\d{1,2})?$' },
      currency: { type: 'string', enum: ['USD'] },
      reason: { type: 'string', maxLength: 200 },
    },
  },
};

/**
 * Each /api operation says the API role it needs (`x-required-role`, from API_ROUTE_ROLES) and
 * answers 403 API_FORBIDDEN below it; 401 for a missing, invalid or ID token.
 */
function withRoles(paths: Record<string, Record<string, Json>>): Record<string, Record<string, Json>> {
  for (const [route, ops] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(ops)) {
      const role = API_ROUTE_ROLES[`${method.toUpperCase()} ${route.replace(/\{(\w+)\}/g, ':$1')}`];
      if (!role) continue;
      operation['x-required-role'] = role;
      operation.description = `${operation.description ? `${String(operation.description)} ` : ''}Needs the API role **${role}** or higher (m3-user < viewer < operator < admin, mapped from Infor OS roles by \`api.roleMap\`, or \`api.clientRoles\` for a backend app).`;
      const responses = (operation.responses ??= {}) as Json;
      responses[401] ??= problem('INFOR_TOKEN_MISSING, INFOR_TOKEN_INVALID (also: an ID token, another audience)');
      responses[403] = problem(`API_FORBIDDEN: the caller's API role is below ${role}`);
    }
  }
  return paths;
}

export function openApiDocument(options: { serverUrl?: string; version: string }): Json {
  const op = (summary: string, extra: Json): Json => ({ summary, ...extra });
  return {
    openapi: '3.1.0',
    info: {
      title: 'm3-paytrace gateway',
      version: options.version,
      description: 'Connects Infor M3 with PayTrace card payments: payment links for M3 invoices, refunds, reconciliation, and the ION endpoints. Calls under /api need an Infor OS access token (the ION API gateway forwards it; ID tokens are refused) whose API role is at least the one the operation names (`x-required-role`).',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'payment-links', description: 'Send payment link (H5 script on OIS300/OIS350)' },
      { name: 'pay', description: "The customer's pay page (public; the signed link is the credential)" },
      { name: 'refunds' },
      { name: 'chargebacks', description: 'Disputes: from other systems and the PayTrace portal report (operator role, or a caller in flows.chargebackApiCallers)' },
      { name: 'reconciliation' },
      { name: 'ion', description: 'ION Messaging Service endpoints of our connection point' },
      { name: 'events', description: 'Storefront notifications (Standard Webhooks)' },
      { name: 'operations' },
    ],
    paths: withRoles({
      '/api/payment-links': {
        post: op('Create (or return the live) payment link of an invoice, or of each open invoice of an order', {
          tags: ['payment-links'],
          operationId: 'createPaymentLinks',
          security: linkAuth,
          requestBody: body(ref('PaymentLinkRequest')),
          responses: {
            201: json({ type: 'object', required: ['links'], properties: { links: { type: 'array', items: ref('PaymentLink') } } }, 'at least one new link'),
            200: json({ type: 'object', required: ['links'], properties: { links: { type: 'array', items: ref('PaymentLink') } } }, 'the live links already existed'),
            401: problem('no or bad Infor OS token'),
            404: problem('LINK_INVOICE_NOT_FOUND, LINK_ORDER_NOT_FOUND'),
            409: problem('LINK_INVOICE_PAID, LINK_ORDER_NOT_INVOICED, LINK_PAYMENT_IN_PROGRESS'),
            422: problem('LINK_REQUEST_INVALID, LINK_CURRENCY_NOT_SUPPORTED'),
            503: problem('LINK_M3_UNAVAILABLE: M3 did not answer, nothing created'),
          },
        }),
      },
      '/api/payment-links/{id}': {
        get: op('A payment link', { tags: ['payment-links'], operationId: 'getPaymentLink', security: linkAuth, parameters: [pathParam('id', 'link id', LINK_ID)], responses: { 200: json(ref('PaymentLink'), 'the link'), 401: problem('no or bad token'), 404: problem('LINK_NOT_FOUND') } }),
      },
      '/api/payment-links/{id}/cancel': {
        post: op('Cancel an open link', {
          tags: ['payment-links'],
          operationId: 'cancelPaymentLink',
          security: linkAuth,
          parameters: [pathParam('id', 'link id', LINK_ID)],
          requestBody: body({ type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 200 } } }, false),
          responses: { 200: json(ref('PaymentLink'), 'cancelled'), 401: problem('no or bad token'), 404: problem('LINK_NOT_FOUND'), 409: problem('LINK_NOT_OPEN, LINK_PAYMENT_IN_PROGRESS') },
        }),
      },
      '/api/payment-links/{id}/email': {
        post: op('E-mail the link to the customer (outbox; HTML and text)', {
          tags: ['payment-links'],
          operationId: 'emailPaymentLink',
          security: linkAuth,
          parameters: [pathParam('id', 'link id', LINK_ID)],
          requestBody: body({ type: 'object', additionalProperties: false, required: ['to'], properties: { to: { type: 'string', format: 'email' } } }),
          responses: { 202: json({ type: 'object', properties: { emailId: { type: 'string' }, status: { type: 'string' }, to: { type: 'string' } } }, 'queued'), 401: problem('no or bad token'), 404: problem('LINK_NOT_FOUND'), 409: problem('LINK_NOT_OPEN'), 422: problem('LINK_EMAIL_INVALID') },
        }),
      },
      '/pay/{token}': {
        get: op('The pay page (HTML)', {
          tags: ['pay'],
          operationId: 'payPage',
          parameters: [pathParam('token', 'signed link token', LINK_TOKEN)],
          responses: {
            200: { description: 'the pay page at once (its script then calls /session), or the receipt of a paid link', content: { 'text/html': { schema: { type: 'string' } } } },
            404: { description: 'not a valid link', content: { 'text/html': { schema: { type: 'string' } } } },
            410: { description: 'expired, cancelled or superseded: says which, with the contact and a new-link request form', content: { 'text/html': { schema: { type: 'string' } } } },
          },
        }),
      },
      '/pay/{token}/charge': {
        post: op("Pay the link's amount with PayTrace Protect tokens", {
          tags: ['pay'],
          operationId: 'chargeLink',
          parameters: [pathParam('token', 'signed link token', LINK_TOKEN)],
          requestBody: body(ref('ChargeRequest')),
          responses: {
            200: json(ref('ChargeOutcome'), 'paid'),
            202: json(ref('ChargeOutcome'), 'outcome unknown: being confirmed by lookup'),
            402: json(ref('ChargeOutcome'), 'declined; the link stays payable'),
            404: json(ref('ChargeOutcome'), 'LINK_INVALID'),
            409: json(ref('ChargeOutcome'), 'PAY_LINK_PAID, PAY_IN_PROGRESS, PAY_AMOUNT_CHANGED, PAY_INVOICE_ALREADY_PAID, PAY_AMOUNT_OUTDATED, PAY_NOT_CHARGED'),
            410: json(ref('ChargeOutcome'), 'PAY_LINK_EXPIRED, PAY_LINK_CANCELLED, PAY_LINK_SUPERSEDED'),
            422: json(ref('ChargeOutcome'), 'PAY_REQUEST_INVALID, PAY_CARD_DETAILS_REFUSED'),
            503: json(ref('ChargeOutcome'), 'PAY_M3_UNAVAILABLE'),
          },
        }),
      },
      '/pay/{token}/status': {
        get: op('Where the payment of a link stands (settles an unknown outcome by lookup)', { tags: ['pay'], operationId: 'linkPaymentStatus', parameters: [pathParam('token', 'signed link token', LINK_TOKEN)], responses: { 200: json(ref('ChargeOutcome'), 'status'), 202: json(ref('ChargeOutcome'), 'still confirming'), 404: json(ref('ChargeOutcome'), 'LINK_INVALID'), 409: json(ref('ChargeOutcome'), 'PAY_NOT_CHARGED') } }),
      },
      '/pay/{token}/session': {
        get: op('What the pay form waits for: M3 re-check, then a PayTrace Protect client key', { tags: ['pay'], operationId: 'paySession', parameters: [pathParam('token', 'signed link token', LINK_TOKEN)], responses: { 200: json({ type: 'object', properties: { status: { type: 'string', enum: ['open'] }, clientKey: { type: 'string' }, notice: { type: 'string' } } }, 'open: the card fields can be shown'), 202: json(ref('ChargeOutcome'), 'an earlier payment is being confirmed'), 404: json(ref('ChargeOutcome'), 'LINK_INVALID'), 409: json(ref('ChargeOutcome'), 'PAY_INVOICE_ALREADY_PAID, PAY_AMOUNT_OUTDATED'), 410: json(ref('ChargeOutcome'), 'closed'), 503: json(ref('ChargeOutcome'), 'PAY_UNAVAILABLE') } }),
      },
      '/pay/{token}/client-key': {
        get: op('A new Protect client key for a page whose key is old (6 per link in 10 minutes)', { tags: ['pay'], operationId: 'payClientKey', parameters: [pathParam('token', 'signed link token', LINK_TOKEN)], responses: { 200: json({ type: 'object', properties: { status: { type: 'string' }, clientKey: { type: 'string' } } }, 'a key'), 404: json(ref('ChargeOutcome'), 'LINK_INVALID'), 410: json(ref('ChargeOutcome'), 'closed'), 429: json(ref('ChargeOutcome'), 'PAY_KEY_RENEWALS'), 503: json(ref('ChargeOutcome'), 'PAY_UNAVAILABLE') } }),
      },
      '/pay/{token}/receipt': {
        get: op('The receipt of a paid link (HTML fragment)', { tags: ['pay'], operationId: 'payReceipt', parameters: [pathParam('token', 'signed link token', LINK_TOKEN)], responses: { 200: { description: 'the receipt section', content: { 'text/html': { schema: { type: 'string' } } } }, 404: problem('PAY_NO_RECEIPT') } }),
      },
      '/pay/{token}/receipt-email': {
        post: op('E-mail the receipt of a paid link (5 per link)', { tags: ['pay'], operationId: 'payReceiptEmail', parameters: [pathParam('token', 'signed link token', LINK_TOKEN)], requestBody: body({ type: 'object', additionalProperties: false, required: ['email'], properties: { email: { type: 'string', format: 'email' } } }), responses: { 202: json({ type: 'object', properties: { status: { type: 'string' }, emailId: { type: 'string' }, message: { type: 'string' } } }, 'queued'), 404: problem('PAY_NO_RECEIPT'), 415: problem('PAY_BODY_NOT_JSON'), 422: problem('PAY_RECEIPT_EMAIL_INVALID'), 429: problem('PAY_RECEIPT_EMAIL_LIMIT') } }),
      },
      '/pay/{token}/new-link-request': {
        post: op('"Send me a new link" for an expired, cancelled or replaced link (reaches the operators)', { tags: ['pay'], operationId: 'payNewLinkRequest', parameters: [pathParam('token', 'signed link token', LINK_TOKEN)], requestBody: body({ type: 'object', additionalProperties: false, properties: { email: { type: 'string' }, note: { type: 'string', maxLength: 500 } } }, false), responses: { 202: json({ type: 'object', properties: { status: { type: 'string' }, requestId: { type: 'string' }, repeated: { type: 'boolean' }, message: { type: 'string' } } }, 'requested'), 404: problem('LINK_INVALID'), 409: problem('LINK_REQUEST_NOT_NEEDED'), 415: problem('PAY_BODY_NOT_JSON'), 422: problem('LINK_REQUEST_INVALID') } }),
      },
      '/pay/assets/{name}': {
        get: op('Script and style of the pay page', { tags: ['pay'], operationId: 'payAsset', parameters: [pathParam('name', 'pay.js or pay.css')], responses: { 200: { description: 'the asset' }, 404: problem('unknown asset') } }),
      },
      '/api/refunds': {
        post: op('Ask for a refund (or a void when unsettled)', { tags: ['refunds'], operationId: 'requestRefund', security: bearer, requestBody: body(ref('RefundRequest')), responses: { 202: json({ type: 'object', properties: { refundId: { type: 'string' }, accepted: { type: 'boolean' }, duplicate: { type: 'boolean' } } }, 'accepted'), 401: problem('no or bad token'), 422: problem('REFUND_REQUEST_INVALID') } }),
      },
      '/api/refunds/{refundId}': {
        get: op('A refund', { tags: ['refunds'], operationId: 'getRefund', security: bearer, parameters: [pathParam('refundId', 'our refund id')], responses: { 200: json({ type: 'object' }, 'its state'), 401: problem('no or bad token'), 404: problem('REFUND_NOT_FOUND') } }),
      },
      '/api/chargebacks': {
        post: op('Report a chargeback (idempotent by case number and stage)', { tags: ['chargebacks'], operationId: 'reportChargeback', security: bearer, requestBody: body(ref('ChargebackNotice')), responses: { 202: json({ type: 'object', properties: { caseNumber: { type: 'string' }, stage: { type: 'string' }, accepted: { type: 'boolean' }, duplicate: { type: 'boolean' } } }, 'accepted'), 401: problem('no or bad token'), 403: problem('ADMIN_FORBIDDEN'), 409: problem('CHARGEBACK_CASE_CONFLICT'), 422: problem('CHARGEBACK_INVALID') } }),
      },
      '/api/chargebacks/reports': {
        post: op("Import a chargeback report (the PayTrace portal's CSV; columns as the flow's report trigger maps them)", {
          tags: ['chargebacks'],
          operationId: 'importChargebackReport',
          security: bearer,
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: { 200: json({ type: 'object', properties: { rows: { type: 'integer' }, accepted: { type: 'array' }, duplicates: { type: 'array' }, conflicts: { type: 'array' }, invalid: { type: 'array' } } }, 'imported rows, duplicates, conflicts and invalid rows by line'), 401: problem('no or bad token'), 403: problem('ADMIN_FORBIDDEN'), 415: problem('CHARGEBACK_REPORT_INVALID'), 422: problem('CHARGEBACK_REPORT_INVALID, CHARGEBACK_REPORT_CARD_DATA') },
        }),
      },
      '/api/chargebacks/{caseNumber}': {
        get: op('A chargeback case', { tags: ['chargebacks'], operationId: 'getChargeback', security: bearer, parameters: [pathParam('caseNumber', 'the case number')], responses: { 200: json({ type: 'object' }, 'the case, its deadline, postings and problems'), 401: problem('no or bad token'), 404: problem('CHARGEBACK_NOT_FOUND') } }),
      },
      '/api/recon/runs': {
        post: op('Start a reconciliation run', { tags: ['reconciliation'], operationId: 'createReconRun', security: bearer, requestBody: body({ type: 'object' }, false), responses: { 202: json({ type: 'object' }, 'started'), 200: json({ type: 'object' }, 'the same run existed'), 401: problem('no or bad token') } }),
      },
      '/api/recon/runs/{id}': {
        get: op('A reconciliation run with its totals', { tags: ['reconciliation'], operationId: 'getReconRun', security: bearer, parameters: [pathParam('id', 'run id')], responses: { 200: json({ type: 'object' }, 'the run'), 404: problem('not found') } }),
      },
      '/api/recon/runs/{id}/items': {
        get: op('Items of a run', { tags: ['reconciliation'], operationId: 'listReconItems', security: bearer, parameters: [pathParam('id', 'run id'), { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 5000 } }], responses: { 200: json({ type: 'object' }, 'items'), 404: problem('not found') } }),
      },
      '/api/recon/runs/{id}/items.csv': {
        get: op('Items of a run as CSV', { tags: ['reconciliation'], operationId: 'reconItemsCsv', security: bearer, parameters: [pathParam('id', 'run id')], responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 404: problem('not found') } }),
      },
      '/api/recon/runs/{id}/report.csv': {
        get: op('Report of a run (by batch or day) as CSV', { tags: ['reconciliation'], operationId: 'reconReportCsv', security: bearer, parameters: [pathParam('id', 'run id'), { name: 'by', in: 'query', schema: { type: 'string', enum: ['batch', 'day'] } }], responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 404: problem('not found'), 422: problem('RECON_REQUEST_INVALID') } }),
      },
      '/api/recon/runs/{id}/apply': {
        post: op('Apply the reconciliation to M3', { tags: ['reconciliation'], operationId: 'applyReconRun', security: bearer, parameters: [pathParam('id', 'run id')], responses: { 202: json({ type: 'object' }, 'applying'), 404: problem('not found') } }),
      },
      '/events/ecommerce': {
        post: op('Storefront payment notification (Standard Webhooks signature)', { tags: ['events'], operationId: 'ecommerceEvent', parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })), requestBody: body({ type: 'object' }), responses: { 202: { description: 'accepted' }, 200: { description: 'duplicate' }, 401: problem('bad signature'), 422: problem('invalid notification') } }),
      },
      '/ims/service/ping': { get: op('IMS ping (ION Desk "Test")', { tags: ['ion'], operationId: 'imsPing', security: bearer, responses: { 200: { description: 'alive' } } }) },
      '/ims/service/protocol': { get: op('IMS protocol versions', { tags: ['ion'], operationId: 'imsProtocol', security: bearer, responses: { 200: { description: 'versions' } } }) },
      '/ims/service/v2/multipartMessage': { post: op('A BOD from ION (IMS v2 multipart)', { tags: ['ion'], operationId: 'imsMessageV2', security: bearer, requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object' } } } }, responses: { 200: { description: 'received' }, 401: problem('no or bad token'), 400: problem('bad message') } }) },
      '/ims/service/v3/multipartMessage': { post: op('A BOD from ION (IMS v3 multipart)', { tags: ['ion'], operationId: 'imsMessageV3', security: bearer, requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object' } } } }, responses: { 200: { description: 'received' }, 401: problem('no or bad token'), 400: problem('bad message') } }) },
      '/health': { get: op('Liveness and component status', { tags: ['operations'], operationId: 'health', responses: { 200: json({ type: 'object' }, 'status') } }) },
      '/ready': { get: op('Readiness', { tags: ['operations'], operationId: 'ready', responses: { 200: json({ type: 'object' }, 'ready'), 503: json({ type: 'object' }, 'not ready') } }) },
      '/metrics': { get: op('Prometheus metrics', { tags: ['operations'], operationId: 'metrics', responses: { 200: { description: 'text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } } }) },
      '/openapi.json': { get: op('This document', { tags: ['operations'], operationId: 'openApi', responses: { 200: json({ type: 'object' }, 'OpenAPI 3.1') } }) },
    }),
    components: {
      securitySchemes: {
        inforBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Infor OS access token, verified against the Infor OS JWKS' },
        apiSuiteKey: { type: 'apiKey', in: 'header', name: 'x-m3pt-api-key', description: 'fixed credential the ION API gateway adds for the suite, when links.apiSuiteKey is configured (header name: links.apiSuiteKeyHeader)' },
      },
      schemas,
    },
  };
}
