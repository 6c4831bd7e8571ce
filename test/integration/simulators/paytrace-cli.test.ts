import { runTs } from '../../helpers/process';

describe('npm run sim -- --only paytrace', () => {
  it('starts the PayTrace simulator alone, and it answers ping and a token request', async () => {
    const sim = runTs('simulators/cli.ts', ['--only', 'paytrace', '--port', '0'], {});
    try {
      const [, url] = await sim.waitFor(/paytrace\s+(http:\/\/127\.0\.0\.1:\d+)/, 20_000);
      const ping = await fetch(`${url}/v1/ping`, { method: 'POST' });
      expect(ping.status).toBe(200);
      const token = await fetch(`${url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'demo123', password: 'demo123' }) });
      expect(await token.json()).toMatchObject({ token_type: 'Bearer', expires_in: 7200 });
      expect(sim.output()).not.toMatch(/infor/);
    } finally {
      sim.child.kill('SIGTERM');
      await sim.exited;
    }
  });
});
