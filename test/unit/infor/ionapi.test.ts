/** .ionapi loading: every key validated, a missing key named, secrets masked. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { IonApiFileError, loadIonApiFile, parseIonApi } from '../../../gateway/src/infor/ionapi';

const VALID = {
  ti: 'ACME_TST',
  cn: 'm3-paytrace',
  dt: '12',
  ci: 'ACME_TST~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ',
  cs: 'client-secret-value-1234567890',
  iu: 'https://mingle-ionapi.inforcloudsuite.com',
  pu: 'https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/',
  oa: 'authorization.oauth2',
  ot: 'token.oauth2',
  or: 'revoke_token.oauth2',
  ev: 'V1480769020',
  v: '1.0',
  saak: 'ACME_TST#service-account-access-key',
  sask: 'service-account-secret-key-value',
};

test('a valid file gives the endpoints as pu+ot/oa/or and the API base iu/ti', () => {
  const c = parseIonApi(VALID);
  expect(c.tokenUrl).toBe('https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/token.oauth2');
  expect(c.revokeUrl).toBe('https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/revoke_token.oauth2');
  expect(c.authorizeUrl).toBe('https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/authorization.oauth2');
  expect(c.apiBaseUrl).toBe('https://mingle-ionapi.inforcloudsuite.com/ACME_TST');
  expect(c.clientSecret.reveal()).toBe(VALID.cs);
});

test('secrets never show in string, JSON or inspect forms', () => {
  const c = parseIonApi(VALID);
  const shown = `${JSON.stringify(c)} ${inspect(c, { depth: 5 })} ${String(c.serviceAccountSecret)}`;
  for (const secret of [VALID.cs, VALID.saak, VALID.sask]) expect(shown).not.toContain(secret);
});

test.each(['ti', 'ci', 'cs', 'iu', 'pu', 'ot', 'or', 'oa', 'cn'])('a file without %s is refused naming the key', (key) => {
  const broken: Record<string, string> = { ...VALID };
  delete broken[key];
  let error: unknown;
  try {
    parseIonApi(broken, 'acme.ionapi');
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(IonApiFileError);
  const e = error as IonApiFileError;
  expect(e.code).toBe('IONAPI_INVALID');
  expect(e.errorClass).toBe('configuration');
  expect(e.message).toContain(`${key}: is missing`);
  expect(e.message).not.toContain(VALID.cs);
});

test('saak without sask is a broken download', () => {
  const { sask: _sask, ...rest } = VALID;
  expect(() => parseIonApi(rest)).toThrow(/sask: is required when the other service-account key is present/);
});

test('a client-credentials app may have no service account at all', () => {
  const { saak: _a, sask: _b, ...rest } = VALID;
  expect(parseIonApi(rest).serviceAccountKey).toBeUndefined();
});

describe('files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'ionapi-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads a file from disk', () => {
    const file = path.join(dir, 'ok.ionapi');
    writeFileSync(file, JSON.stringify(VALID));
    expect(loadIonApiFile(file).tenant).toBe('ACME_TST');
  });

  test('a file that is not JSON is refused without echoing its content', () => {
    const file = path.join(dir, 'bad.ionapi');
    writeFileSync(file, `{"cs":"${VALID.cs}",`);
    expect(() => loadIonApiFile(file)).toThrow(IonApiFileError);
    try {
      loadIonApiFile(file);
    } catch (err) {
      expect((err as Error).message).not.toContain(VALID.cs);
    }
  });

  test('a missing file', () => {
    expect(() => loadIonApiFile(path.join(dir, 'nope.ionapi'))).toThrow(/cannot read the .ionapi file .*ENOENT/);
  });
});
