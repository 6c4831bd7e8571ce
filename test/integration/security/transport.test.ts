import net from 'node:net';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';

/**
 * Transport defaults: slow (trickling) clients are shed by the header/request timeouts, HSTS only
 * over TLS, no framing and no inline styles, NUL characters refused before anything stores them.
 */
describe('transport and defaults', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ config: { http: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 } } });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  /** 8 clients trickling their headers a byte every 100 ms; resolves with when each was closed (ms) */
  async function trickle(port: number): Promise<number[]> {
    const started = Date.now();
    const closes = Array.from({ length: 8 }, () => {
      const socket = net.connect(port, '127.0.0.1');
      const text = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(10_000);
      let i = 0;
      const timer = setInterval(() => {
        if (!socket.destroyed && i < text.length) socket.write(text[i++]!);
      }, 100);
      return new Promise<number>((resolve) => {
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(timer);
          resolve(Date.now() - started);
        });
      });
    });
    return Promise.all(closes);
  }

  it('closes 8 clients trickling their headers a byte at a time within the header timeout (+ the 1 s check)', async () => {
    expect(Math.max(...(await trickle(gateway.port)))).toBeLessThan(3_500);
  });

  it('does so with the default settings too (headers within 5 s), while others are served', async () => {
    const defaults = await startTestGateway();
    try {
      const shed = trickle(defaults.port);
      const served = await fetch(`${defaults.url}/health`, { headers: { accept: 'application/json' } });
      expect(served.status).toBe(200);
      const times = await shed;
      expect(Math.max(...times)).toBeLessThan(7_000);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(4_500);
    } finally {
      await defaults.stop();
    }
  });

  it('closes a client whose body trickles past the request timeout', async () => {
    const started = Date.now();
    const socket = net.connect(gateway.port, '127.0.0.1');
    socket.write('POST /events/ecommerce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(' ');
    }, 100);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined);
    await new Promise((r) => socket.on('close', r));
    clearInterval(timer);
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('sends no HSTS over plain HTTP, forbids framing and inline styles', async () => {
    const res = await fetch(`${gateway.url}/health`);
    expect(res.headers.get('strict-transport-security')).toBeNull();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('sends HSTS when the request came over TLS (behind a trusted proxy)', async () => {
    const proxied = await startTestGateway({ config: { http: { trustProxy: true } } });
    try {
      const res = await fetch(`${proxied.url}/health`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    } finally {
      await proxied.stop();
    }
  });

  it('refuses a NUL character in the URL or a JSON body with 400, never a database error', async () => {
    const inUrl = await fetch(`${gateway.url}/api/refunds/R%00X`);
    expect(inUrl.status).toBe(400);
    expect(await inUrl.json()).toMatchObject({ code: 'REQUEST_NUL_CHARACTER' });
    const inBody = await fetch(`${gateway.url}/events/ecommerce`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"a\\u0000b"}' });
    expect(inBody.status).toBe(400);
    expect(await inBody.json()).toMatchObject({ code: 'REQUEST_NUL_CHARACTER' });
  });

  it('replaces a card number sent as X-Correlation-Id or X-Request-Id, and never logs it', async () => {
    const res = await fetch(`${gateway.url}/health`, { headers: { 'x-correlation-id': '4242424242424242', 'x-request-id': '4242-4242-4242-4242' } });
    expect(res.headers.get('x-correlation-id')).not.toContain('4242');
    expect(res.headers.get('x-request-id')).not.toContain('4242');
    expect(JSON.stringify(gateway.logs)).not.toMatch(/4242-?4242-?4242-?4242/);
  });
});
