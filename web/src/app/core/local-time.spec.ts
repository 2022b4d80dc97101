import { formatLocalTime, LocalTimePipe } from './local-time';

describe('formatLocalTime', () => {
  const instant = '2030-01-01T10:00:00.000Z';

  it('writes the instant in the given time zone, naming the zone', () => {
    expect(formatLocalTime(instant, 'UTC')).toBe('Jan 1, 2030, 10:00:00 AM UTC');
    expect(formatLocalTime(instant, 'America/New_York')).toBe('Jan 1, 2030, 5:00:00 AM EST');
    expect(formatLocalTime(instant, 'Asia/Tokyo')).toBe('Jan 1, 2030, 7:00:00 PM GMT+9');
  });

  it('follows daylight saving time in the viewer’s zone', () => {
    expect(formatLocalTime('2030-07-01T10:00:00.000Z', 'America/New_York')).toBe(
      'Jul 1, 2030, 6:00:00 AM EDT',
    );
  });

  it('uses the viewer’s own time zone by default', () => {
    const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(formatLocalTime(instant)).toBe(formatLocalTime(instant, viewerZone));
  });

  it('gives nothing for an instant it cannot read', () => {
    expect(formatLocalTime('soon')).toBe('');
  });

  it('is what the localTime pipe shows', () => {
    expect(new LocalTimePipe().transform(instant, 'Asia/Tokyo')).toBe(
      'Jan 1, 2030, 7:00:00 PM GMT+9',
    );
  });
});
