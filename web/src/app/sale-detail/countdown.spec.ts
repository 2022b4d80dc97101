import { formatDuration } from './countdown';

describe('formatDuration', () => {
  it('shows minutes and seconds, hours when needed, and days for long waits', () => {
    expect(formatDuration(4_200)).toBe('00:05');
    expect(formatDuration(61_000)).toBe('01:01');
    expect(formatDuration(3_723_000)).toBe('01:02:03');
    expect(formatDuration(90_061_000)).toBe('1d 01:01:01');
  });

  it('never goes below zero', () => {
    expect(formatDuration(-5000)).toBe('00:00');
  });
});
