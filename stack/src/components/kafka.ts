import { randomUUID } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { purchasesTopic } from '@flashsale/runtime';
import { runOrThrow } from '../exec.ts';
import { kafkaLibDir } from '../install/kafka.ts';
import { loopback, port } from '../ports.ts';
import { statePath } from '../paths.ts';
import type { Component } from './component.ts';
import { nodeAddress } from '../node-network.ts';

/** The stack creates the purchases topic (`purchasesTopic`, docs/data-path.md) with these. */
const purchasesPartitions = 6;

const brokerPort = (): number => port('kafka');
const configDir = (): string => statePath('kafka');
const dataDir = (): string => statePath('data', 'kafka');
export const kafkaBrokers = (): string => `${loopback}:${brokerPort()}`;

/** A single KRaft node that is both broker and controller; replication factors of one. */
export interface KafkaPorts {
  readonly broker: number;
  readonly controller: number;
  /** The cluster's node address and port: a second listener pods connect to, advertised as such. */
  readonly node?: { readonly address: string; readonly port: number };
}

export function serverProperties(ports: KafkaPorts, logDir: string): string {
  const plaintext = `PLAINTEXT://${loopback}:${ports.broker}`;
  const node = ports.node ? `NODE://${ports.node.address}:${ports.node.port}` : undefined;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${loopback}:${ports.controller}`,
    `listeners=${[plaintext, `CONTROLLER://${loopback}:${ports.controller}`, node].filter(Boolean).join(',')}`,
    `advertised.listeners=${[plaintext, node].filter(Boolean).join(',')}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,NODE:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

const log4j2Properties = [
  'status = warn',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = warn',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.kafka.name = kafka.server.KafkaRaftServer',
  'logger.kafka.level = info',
  '',
].join('\n');

function admin(): ReturnType<Kafka['admin']> {
  const kafka = new Kafka({
    clientId: 'flashsale-stack',
    brokers: [kafkaBrokers()],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  return kafka.admin();
}

const javaArgs = (): string[] => [
  '-Xms256m',
  '-Xmx768m',
  '-XX:+UseG1GC',
  `-Dlog4j2.configurationFile=${join(configDir(), 'log4j2.properties')}`,
  '-cp',
  `${kafkaLibDir()}/*`,
];

export const kafka: Component = {
  name: 'kafka',
  dependsOn: [],
  portName: 'kafka',
  endpoints: () => ({ KAFKA_BROKERS: kafkaBrokers() }),
  prepare: async () => {
    await mkdir(configDir(), { recursive: true });
    await mkdir(dataDir(), { recursive: true });
    const properties = join(configDir(), 'server.properties');
    const address = nodeAddress();
    const ports: KafkaPorts = {
      broker: brokerPort(),
      controller: port('kafkaController'),
      ...(address ? { node: { address, port: port('kafkaNode') } } : {}),
    };
    await writeFile(properties, serverProperties(ports, dataDir()));
    await writeFile(join(configDir(), 'log4j2.properties'), log4j2Properties);
    const formatted = await access(join(dataDir(), 'meta.properties')).then(
      () => true,
      () => false,
    );
    if (formatted) return;
    // KRaft storage is formatted once with a cluster id; later starts reuse it.
    const args = [
      ...javaArgs(),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      randomUUID(),
      '-c',
      properties,
    ];
    await runOrThrow('java', args, { logFile: statePath('logs', 'kafka-format.log') });
  },
  launchSpec: () =>
    Promise.resolve({
      name: 'kafka',
      cmd: 'java',
      args: [...javaArgs(), 'kafka.Kafka', join(configDir(), 'server.properties')],
    }),
  isReady: async () => {
    const client = admin();
    try {
      await client.connect();
      const cluster = await client.describeCluster();
      return cluster.brokers.length > 0;
    } catch {
      return false;
    } finally {
      await client.disconnect().catch(() => undefined);
    }
  },
  afterReady: async () => {
    const client = admin();
    await client.connect();
    try {
      const topics = await client.listTopics();
      if (!topics.includes(purchasesTopic)) {
        await client.createTopics({
          waitForLeaders: true,
          topics: [
            { topic: purchasesTopic, numPartitions: purchasesPartitions, replicationFactor: 1 },
          ],
        });
      }
    } finally {
      await client.disconnect();
    }
  },
  readyTimeoutMs: 60_000,
};
