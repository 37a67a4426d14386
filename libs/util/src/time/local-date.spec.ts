import { isIanaTimeZone, localDate } from './local-date';

describe('localDate', () => {
  it('a job completed at 23:30 in Chicago on 31 January is a January day there (February in UTC)', () => {
    expect(localDate('2026-01-31T23:30:00-06:00', 'America/Chicago')).toBe('2026-01-31');
    expect(localDate('2026-02-01T05:30:00Z', 'America/Chicago')).toBe('2026-01-31');
    expect(localDate('2026-02-01T05:30:00Z', 'UTC')).toBe('2026-02-01');
  });

  it('follows daylight saving time (Chicago is UTC-5 in July)', () => {
    expect(localDate('2026-07-01T04:30:00Z', 'America/Chicago')).toBe('2026-06-30');
    expect(localDate('2026-07-01T05:30:00Z', 'America/Chicago')).toBe('2026-07-01');
  });

  it('zones east of UTC move the other way', () => {
    expect(localDate('2026-03-31T22:30:00Z', 'Europe/Paris')).toBe('2026-04-01');
  });

  it('a bare date stays that date, and a date-time without a zone is already local', () => {
    expect(localDate('2026-01-31', 'Pacific/Auckland')).toBe('2026-01-31');
    expect(localDate('2026-01-31T23:30:00', 'Pacific/Auckland')).toBe('2026-01-31');
  });

  it('midnight UTC is a calendar date only when asked (bill dates written as date-times)', () => {
    expect(localDate('2026-01-04T00:00:00.000Z', 'America/Chicago')).toBe('2026-01-03');
    expect(localDate('2026-01-04T00:00:00.000Z', 'America/Chicago', { midnightUtcIsDate: true })).toBe('2026-01-04');
    expect(localDate('2026-01-04T00:00:01Z', 'America/Chicago', { midnightUtcIsDate: true })).toBe('2026-01-03');
  });

  it.each(['2026-02-30', 'yesterday', '2026-13-01T10:00:00Z', '', '1767225600000'])('refuses %j', (v) => {
    expect(() => localDate(v, 'UTC')).toThrow(RangeError);
  });

  it('refuses an unknown zone', () => {
    expect(() => localDate('2026-01-31T10:00:00Z', 'Mars/Olympus')).toThrow(/IANA/);
  });
});

describe('isIanaTimeZone', () => {
  it.each(['UTC', 'America/Chicago', 'America/Argentina/Buenos_Aires', 'Etc/GMT+6', 'Europe/Paris'])('%s', (z) =>
    expect(isIanaTimeZone(z)).toBe(true),
  );
  it.each(['CST', 'utc ', 'America/Nowhere', '', 'Chicago', 42, null])('not %j', (z) =>
    expect(isIanaTimeZone(z)).toBe(false),
  );
});
