// The Redis Cluster phase (jasmine.redis-cluster.json, docs/redis-cluster.md): the stack
// starts its three-master cluster and hands it out as REDIS_URL, to the specs and to every
// process they start. Set before any spec asks for the stack.
process.env.FLASHSALE_REDIS_MODE = 'cluster';
await import('./jasmine-setup.ts');
