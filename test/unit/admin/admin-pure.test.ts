import { safeReturnTo } from '../../../gateway/src/admin/oidc-login';
import { hasRole, rolesFromClaim } from '../../../gateway/src/admin/roles';
import { readCookie, sameToken } from '../../../gateway/src/admin/sessions';
import { twoDecimals } from '../../../gateway/src/admin/wire-amount';
import { bucketFor } from '../../../gateway/src/admin/dashboard-queries';
import { cents, formatCents } from '../../../gateway/ui/src/api';

describe('roles', () => {
  it('ranks viewer < operator < admin', () => {
    expect(hasRole(['admin'], 'operator')).toBe(true);
    expect(hasRole(['operator'], 'admin')).toBe(false);
    expect(hasRole([], 'viewer')).toBe(false);
    expect(hasRole(['superuser'], 'viewer')).toBe(false);
  });
  it('maps the IdP claim through the configured names and drops unknown ones', () => {
    const map = { 'M3PT-Ops': 'operator', 'Infor-SystemAdministrator': 'admin' } as const;
    expect(rolesFromClaim(['M3PT-Ops', 'Other'], map)).toEqual(['operator']);
    expect(rolesFromClaim('Infor-SystemAdministrator M3PT-Ops', map)).toEqual(['operator', 'admin']);
    expect(rolesFromClaim(undefined, map)).toEqual([]);
    expect(rolesFromClaim([42, { admin: true }], map)).toEqual([]);
  });
});

describe('sign-in helpers', () => {
  it('only returns to our own app after sign-in', () => {
    expect(safeReturnTo('/ui/')).toBe('/ui/');
    expect(safeReturnTo('/ui/#/trace')).toBe('/ui/#/trace');
    for (const bad of ['https://evil.example/', '//evil.example/ui', '/ui\\@evil', '/admin/api/me', undefined, ['x']]) expect(safeReturnTo(bad)).toBe('/ui/');
  });
  it('reads one cookie and compares tokens in constant time', () => {
    expect(readCookie('a=1; m3pt_session=abc%3D; b=2', 'm3pt_session')).toBe('abc=');
    expect(readCookie('m3pt_sessionx=1', 'm3pt_session')).toBeUndefined();
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', 'abcd')).toBe(false);
  });
});

describe('money on the screen', () => {
  it('shows numeric(19,4) with the 2 decimals of the wire, exactly', () => {
    expect(twoDecimals('1250.0000')).toBe('1250.00');
    expect(twoDecimals('0.1000')).toBe('0.10');
    expect(twoDecimals('12.3456')).toBe('12.3456'); // never rounds silently
    expect(twoDecimals('7')).toBe('7');
  });
  it('sums money strings in cents without floats', () => {
    const total = ['0.10', '0.20', '1250.00', '75.5'].map(cents).reduce((a, b) => a + b, 0n);
    expect(formatCents(total)).toBe('1,325.80');
    expect(formatCents(cents('-3.05'))).toBe('-3.05');
    expect(cents('abc')).toBe(0n);
  });
  it('chooses a chart bucket from the range', () => {
    const at = (h: number) => ({ from: new Date(0), to: new Date(h * 3_600_000) });
    expect(bucketFor(at(1))).toBe('minute');
    expect(bucketFor(at(24))).toBe('hour');
    expect(bucketFor(at(24 * 7))).toBe('day');
  });
});
