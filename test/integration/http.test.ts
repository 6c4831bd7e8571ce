import request from 'supertest';
import { AppError } from '../../gateway/src/errors';
import type { GatewayModule } from '../../gateway/src/runtime/gateway';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/** Routes that exist only in this test, to drive the error paths of the real app. */
const probe: GatewayModule = {
  routes: (app) => {
    app.post('/test/echo', (req, res) => {
      res.json({ received: req.body });
    });
    app.get('/test/boom', () => {
      throw new Error('database password is hunter2 at /srv/app/secret.ts:12');
    });
    app.get('/test/business', () => {
      throw new AppError('Invoice 12345 is already paid', { code: 'INVOICE_PAID', errorClass: 'business', httpStatus: 409, details: { fieldErrors: [{ field: 'ivno', message: 'already paid' }] } });
    });
  },
};

describe('HTTP skeleton', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ modules: [probe], config: { http: { bodyLimitBytes: 1024 } } });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('GET /health reports each component', async () => {
    const res = await request(gateway.url).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      node: process.version,
      uptimeSeconds: expect.any(Number),
      components: {
        runtime: { status: 'ok', node: process.version, securityFixesUntil: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) },
        database: { status: 'ok', latencyMs: expect.any(Number) },
        queue: { status: 'ok', waiting: expect.any(Number), active: expect.any(Number) },
        deadLetters: { status: 'ok', open: 0 },
        'connector:m3': { status: 'ok', reason: 'not contacted yet', lastContact: null },
        'connector:paytrace': { status: 'ok' },
        'connector:infor-os': { status: 'ok' },
        'connector:ion': { status: 'ok' },
      },
    });
  });

  it('shows a connector as degraded with the reason after a failed contact', async () => {
    gateway.services.connectors.record('paytrace', false, 'HTTP 503 from PayTrace');
    const res = await request(gateway.url).get('/health').expect(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.components['connector:paytrace']).toMatchObject({ status: 'degraded', reason: 'HTTP 503 from PayTrace' });
    gateway.services.connectors.record('paytrace', true);
    expect((await request(gateway.url).get('/health')).body.components['connector:paytrace'].status).toBe('ok');
  });

  it('GET /ready is 200 when serving', async () => {
    await request(gateway.url).get('/ready').expect(200, { ready: true });
  });

  it('GET /metrics exposes default and HTTP metrics in Prometheus format', async () => {
    await request(gateway.url).get('/health');
    const res = await request(gateway.url).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/m3pt_process_cpu_user_seconds_total/);
    expect(res.text).toMatch(/m3pt_http_request_duration_seconds_bucket\{.*route="\/health".*\}/);
    expect(res.text).toMatch(/m3pt_http_requests_total\{method="GET",route="\/health",status="200"\}/);
  });

  it('answers a malformed JSON body with problem JSON 400', async () => {
    const res = await request(gateway.url).post('/test/echo').set('Content-Type', 'application/json').send('{"amount": 12.3').expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ status: 400, code: 'BODY_MALFORMED_JSON', errorClass: 'business', requestId: expect.any(String) });
  });

  it('answers an oversized body with 413 and does not read it', async () => {
    const res = await request(gateway.url).post('/test/echo').send({ blob: 'x'.repeat(5000) }).expect(413);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'BODY_TOO_LARGE', detail: expect.stringContaining('1024 bytes') });
  });

  it('answers an unknown route with 404 problem JSON', async () => {
    const res = await request(gateway.url).get('/no/such/thing').expect(404);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'ROUTE_NOT_FOUND', detail: 'No route for GET /no/such/thing' });
  });

  it('never sends a stack trace or internal message for an unexpected error', async () => {
    const res = await request(gateway.url).get('/test/boom').set('X-Request-Id', 'req-boom-1').expect(500);
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({ code: 'UNEXPECTED', errorClass: 'bug', requestId: 'req-boom-1' });
    expect(res.text).not.toMatch(/hunter2|secret\.ts|at .*\(/);
    // …but it is logged for us, with the request id, and the secret-looking text is in our log only
    expect(gateway.logs.some((l) => l.message === 'unhandled error' && l.requestId === 'req-boom-1')).toBe(true);
    // and the process keeps serving
    await request(gateway.url).get('/ready').expect(200);
  });

  it('sends business errors with their code and field errors', async () => {
    const res = await request(gateway.url).get('/test/business').expect(409);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'INVOICE_PAID', errorClass: 'business', detail: 'Invoice 12345 is already paid', errors: [{ field: 'ivno', message: 'already paid' }] });
  });

  it('sets security headers and a request id on every answer', async () => {
    const res = await request(gateway.url).get('/health');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('ignores a hostile request id', async () => {
    const res = await request(gateway.url).get('/health').set('X-Request-Id', '<script>alert(1)</script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('graceful shutdown', () => {
  it('stops accepting work, lets a running job finish, then closes', async () => {
    const gateway = await startTestGateway();
    let finished = false;
    let release!: () => void;
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    await gateway.services.queue.register<{ n: number }>({
      name: 'slow',
      handler: async () => {
        markStarted();
        await new Promise<void>((r) => (release = r));
        finished = true;
      },
    });
    await gateway.services.queue.send('slow', { n: 1 });
    await started;
    let stopped = false;
    const stopping = gateway.stop().then(() => (stopped = true));
    // the listener is closed at once: no new work comes in while the job drains
    await expect(request(gateway.url).get('/ready')).rejects.toThrow(/ECONNREFUSED/);
    expect(gateway.services.lifecycle.shuttingDown).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false); // still waiting for the running job
    release();
    await stopping;
    expect(finished).toBe(true);
    await expect(gateway.services.db.raw('select 1')).rejects.toThrow(); // pool closed
  });
});
