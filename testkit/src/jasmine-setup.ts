import { releaseStack } from './stack.ts';

// Integration specs wait on real servers; the default 5 s is too short for a Kafka
// consumer group to settle or a CRD to be established.
jasmine.DEFAULT_TIMEOUT_INTERVAL = 60_000;

afterAll(async () => {
  await releaseStack();
}, 120_000);

/**
 * Ends the run with one plain summary line, `jasmine: N passed, N failed`, after Jasmine's
 * own report, so that CI logs can be read at a glance.
 */
let passed = 0;
let failed = 0;
let excluded = 0;
jasmine.getEnv().addReporter({
  specDone: (result) => {
    if (result.status === 'passed') passed += 1;
    else if (result.status === 'failed') failed += 1;
    else excluded += 1;
  },
  jasmineDone: (result) => {
    // A failure outside any spec (in beforeAll/afterAll) fails the run without failing a spec.
    if (result.overallStatus === 'failed' && failed === 0) failed = 1;
    const skipped = excluded > 0 ? `, ${excluded} skipped` : '';
    process.stdout.write(`\njasmine: ${passed} passed, ${failed} failed${skipped}\n`);
  },
});
