/** The directory holding the broker's jars (run as `java -cp '<dir>/*' kafka.Kafka`). */
export declare const kafkaLibDir: () => string;
/**
 * A throwaway POM whose only purpose is to let Maven resolve the broker (kafka_2.13, which
 * pulls server, raft, storage, metadata and clients) plus a logging backend.
 */
export declare function brokerPom(kafka: string, log4j: string, slf4j: string): string;
/** Resolves the Apache Kafka broker jars from Maven Central into the cache. */
export declare function installKafka(): Promise<string>;
