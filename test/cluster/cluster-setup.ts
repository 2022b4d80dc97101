import { releaseCluster } from './cluster-harness.ts';

// The cluster specs wait on a real node: pods start, roll, and scale in seconds to minutes.
jasmine.DEFAULT_TIMEOUT_INTERVAL = 5 * 60_000;

afterAll(async () => {
  await releaseCluster();
}, 5 * 60_000);
