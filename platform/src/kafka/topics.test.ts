import { purchasesTopic as stackTopic } from '@flashsale/stack';
import { purchasesTopic } from './topics.ts';

describe('kafka adapter: the purchases topic', () => {
  // The stack does not depend on the platform, so it names the topic it creates itself.
  it('is the topic the local stack creates', () => {
    expect(stackTopic).toBe(purchasesTopic);
    expect(purchasesTopic).toBe('flashsale.purchases');
  });
});
