import { Cluster, Redis } from 'ioredis';
import { isClusterUrl, parseClusterUrl, redisClient, redisUrl } from './redis-client.ts';

describe('redis client: REDIS_URL forms', () => {
  it('reads every seed node, credentials and TLS from a cluster URL', () => {
    expect(parseClusterUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001/')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      tls: false,
    });
    expect(parseClusterUrl('rediss+cluster://app:s%40cret:x@redis-0:6379')).toEqual({
      nodes: [{ host: 'redis-0', port: 6379 }],
      tls: true,
      username: 'app',
      password: 's@cret:x',
    });
  });

  it('refuses a cluster node without a port, naming REDIS_URL', () => {
    expect(() => parseClusterUrl('redis+cluster://a:1,b')).toThrowError(
      /REDIS_URL="redis\+cluster:\/\/a:1,b": "b" is not host:port/,
    );
  });

  it('accepts one Redis or a cluster, and nothing else', () => {
    for (const ok of ['redis://127.0.0.1:6379', 'rediss://h:1/2', 'redis+cluster://h:1,h:2'])
      expect(redisUrl.safeParse(ok).success).withContext(ok).toBeTrue();
    for (const bad of ['http://h:1', 'redis+cluster://', 'redis+cluster://h', 'h:6379'])
      expect(redisUrl.safeParse(bad).success).withContext(bad).toBeFalse();
    expect(isClusterUrl('redis://h:1')).toBeFalse();
  });

  it('builds a Cluster client for a cluster URL, with the prefix on the cluster', () => {
    const cluster = redisClient('redis+cluster://127.0.0.1:1,127.0.0.1:2', {
      keyPrefix: 'p:',
      lazyConnect: true,
      commandTimeout: 1234,
    });
    const single = redisClient('redis://127.0.0.1:1', { lazyConnect: true });
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      expect(cluster.options.keyPrefix).toBe('p:');
      expect((cluster as Cluster).options.redisOptions?.commandTimeout).toBe(1234);
      expect(single).toBeInstanceOf(Redis);
    } finally {
      cluster.disconnect();
      single.disconnect();
    }
  });
});
