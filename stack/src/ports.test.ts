import { parsePort } from './ports.ts';

describe('stack ports', () => {
  it('uses the default when the variable is unset or empty', () => {
    expect(parsePort('FLASHSALE_REDIS_PORT', undefined, 16379)).toBe(16379);
    expect(parsePort('FLASHSALE_REDIS_PORT', '', 16379)).toBe(16379);
  });

  it('takes an override', () => {
    expect(parsePort('FLASHSALE_REDIS_PORT', '26379', 16379)).toBe(26379);
  });

  it('names the variable when the value is not a usable port', () => {
    expect(() => parsePort('FLASHSALE_REDIS_PORT', 'abc', 16379)).toThrowError(
      'FLASHSALE_REDIS_PORT=abc is not a usable port: give an integer from 1024 to 65535',
    );
    expect(() => parsePort('FLASHSALE_KAFKA_PORT', '80', 19092)).toThrowError(
      /FLASHSALE_KAFKA_PORT=80/,
    );
    expect(() => parsePort('FLASHSALE_KAFKA_PORT', '70000', 19092)).toThrowError(
      /FLASHSALE_KAFKA_PORT=70000/,
    );
  });
});
