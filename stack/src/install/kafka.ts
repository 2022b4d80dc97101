import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOrThrow } from '../exec.ts';
import { cachePath } from '../paths.ts';
import { StepError } from '../progress.ts';
import { versions } from '../versions.ts';
import { isFresh, writeStamp } from './stamp.ts';

/** The directory holding the broker's jars (run as `java -cp '<dir>/*' kafka.Kafka`). */
export const kafkaLibDir = (): string => cachePath('kafka', versions.kafka, 'lib');

/**
 * A throwaway POM whose only purpose is to let Maven resolve the broker (kafka_2.13, which
 * pulls server, raft, storage, metadata and clients) plus a logging backend.
 */
export function brokerPom(kafka: string, log4j: string, slf4j: string): string {
  const dep = (group: string, artifact: string, version: string): string =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return [
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>local.flashsale</groupId><artifactId>kafka-broker</artifactId><version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dep('org.apache.kafka', 'kafka_2.13', kafka),
    dep('org.slf4j', 'slf4j-api', slf4j),
    dep('org.apache.logging.log4j', 'log4j-slf4j2-impl', log4j),
    dep('org.apache.logging.log4j', 'log4j-core', log4j),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/** Resolves the Apache Kafka broker jars from Maven Central into the cache. */
export async function installKafka(): Promise<string> {
  const lib = kafkaLibDir();
  const recipe = { kafka: versions.kafka, log4j: versions.log4j, slf4j: versions.slf4j };
  const brokerJar = join(lib, `kafka_2.13-${versions.kafka}.jar`);
  if (await isFresh('kafka', recipe, [brokerJar])) return `cached (${versions.kafka})`;

  const dir = cachePath('kafka', versions.kafka);
  const logFile = cachePath('logs', 'kafka-maven.log');
  await rm(lib, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'pom.xml'), brokerPom(versions.kafka, versions.log4j, versions.slf4j));
  try {
    await runOrThrow(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        join(dir, 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${lib}`,
        '-DincludeScope=runtime',
      ],
      { logFile },
    );
    const reported = (
      await runOrThrow('java', ['-cp', `${lib}/*`, 'kafka.Kafka', '--version'])
    ).trim();
    if (!reported.includes(versions.kafka))
      throw new Error(`the broker reports version "${reported}"`);
  } catch (cause) {
    throw new StepError(
      'kafka',
      `could not resolve Apache Kafka ${versions.kafka} from Maven Central`,
      `check ${logFile} and that Maven reaches Maven Central (~/.m2/settings.xml mirrors/proxies)`,
      { cause },
    );
  }
  await writeStamp('kafka', recipe);
  return `resolved ${versions.kafka}`;
}
