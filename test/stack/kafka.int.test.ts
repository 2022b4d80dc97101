import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { purchasesTopic } from '@flashsale/stack';
import { isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';

describe('local stack: Kafka through kafkajs', () => {
  const names = isolatedNames('kafka');
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    const { KAFKA_BROKERS } = await useStack();
    kafka = new Kafka({
      clientId: names.id,
      brokers: KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: names.kafkaTopic, numPartitions: 3 }],
    });
    producer = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    consumer = kafka.consumer({ groupId: `${names.id}-group` });
    await Promise.all([producer.connect(), consumer.connect()]);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
    await admin.deleteTopics({ topics: [names.kafkaTopic] });
    await admin.disconnect();
  });

  it('has the purchases topic the platform streams to', async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: [purchasesTopic] });
    expect(metadata.topics[0]?.partitions.length).toBe(6);
  });

  it('delivers every message of an idempotent producer to a consumer group, exactly once each', async () => {
    const sent = Array.from({ length: 30 }, (_, index) => ({
      key: `sale-${index % 4}`,
      value: `purchase-${index}`,
    }));
    await producer.send({ topic: names.kafkaTopic, acks: -1, messages: sent });

    const received: { key: string; value: string }[] = [];
    const allReceived = new Promise<void>((resolve) => {
      void consumer.subscribe({ topic: names.kafkaTopic, fromBeginning: true }).then(() =>
        consumer.run({
          eachMessage: ({ message }) => {
            received.push({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
            });
            if (received.length === sent.length) resolve();
            return Promise.resolve();
          },
        }),
      );
    });
    await allReceived;

    const byValue = (a: { value: string }, b: { value: string }): number =>
      a.value.localeCompare(b.value);
    expect([...received].sort(byValue)).toEqual([...sent].sort(byValue));
  });
});
