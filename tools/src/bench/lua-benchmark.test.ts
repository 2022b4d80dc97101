import { parseRedisBenchmarkCsv } from './lua-benchmark.ts';

describe('load: parseRedisBenchmarkCsv', () => {
  it('reads rps and the p50/p95/p99 latencies of redis-benchmark --csv', () => {
    const csv = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"EVALSHA abc 7 a,b {x}:c","41234.57","1.500","0.200","1.400","2.100","3.300","9.000"',
      '',
    ].join('\n');
    expect(parseRedisBenchmarkCsv(csv)).toEqual({
      requestsPerSecond: 41234.57,
      p50: 1.4,
      p95: 2.1,
      p99: 3.3,
    });
  });

  it('says what redis-benchmark printed when there is no result', () => {
    expect(() => parseRedisBenchmarkCsv('Could not connect to Redis at 127.0.0.1:1')).toThrowError(
      /printed no CSV result.*Could not connect/s,
    );
  });
});
