import { ConfigError } from '../../../gateway/src/config';
import { loadReconConfig } from '../../../gateway/src/recon/config';
import { toCsv } from '../../../gateway/src/recon/report';
import { previousDayIn } from '../../../gateway/src/recon/schedule';

describe('nightly period', () => {
  it('is yesterday in the configured time zone, not in UTC', () => {
    const at = new Date('2026-11-26T03:30:00Z'); // 21:30 on the 25th in Chicago, 04:30 on the 26th in Berlin
    expect(previousDayIn('UTC', at)).toBe('2026-11-25');
    expect(previousDayIn('America/Chicago', at)).toBe('2026-11-24');
    expect(previousDayIn('Europe/Berlin', at)).toBe('2026-11-25');
    expect(previousDayIn('Pacific/Auckland', new Date('2026-03-01T11:30:00Z'))).toBe('2026-03-01'); // already the 2nd there
  });
});

describe('recon configuration', () => {
  it('has defaults, reads RECON_* variables and names the bad key', () => {
    expect(loadReconConfig({})).toMatchObject({ schedule: '30 3 * * *', timeZone: 'UTC', scheduleEnabled: true, nightlyMode: 'dry_run', roundingToleranceCents: 1 });
    expect(loadReconConfig({ RECON_TIMEZONE: 'America/Chicago', RECON_SCHEDULE_ENABLED: 'false', RECON_NIGHTLY_MODE: 'apply' })).toMatchObject({ timeZone: 'America/Chicago', scheduleEnabled: false, nightlyMode: 'apply' });
    expect(() => loadReconConfig({ RECON_TIMEZONE: 'Mars/Olympus' })).toThrow(ConfigError);
    expect(() => loadReconConfig({ RECON_TIMEZONE: 'Mars/Olympus' })).toThrow(/recon\.timeZone \(env RECON_TIMEZONE\)/);
    expect(() => loadReconConfig({ RECON_ROUNDING_TOLERANCE_CENTS: '-1' })).toThrow(/roundingToleranceCents/);
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas, keeping negative amounts', () => {
    const csv = toCsv(['a', 'b', 'c', 'd'], [['x,y', 'say "hi"', '=HYPERLINK("evil")', '-12.50'], [null, undefined, 'line\nbreak', '-cmd']]);
    expect(csv).toBe('a,b,c,d\r\n"x,y","say ""hi""","\'=HYPERLINK(""evil"")",-12.50\r\n,,"line\nbreak",\'-cmd\r\n');
  });
});
