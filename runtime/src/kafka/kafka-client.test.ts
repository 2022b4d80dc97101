import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Partitioners, logLevel } from 'kafkajs';
import { createKafkaClient, kafkaLogCreator } from './kafka-client.ts';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly component?: string;
  readonly process?: string;
}

/** A real pino logger whose JSON lines are kept in `lines`. */
function capturingLogger(level = 'debug') {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { lines, logger: pino({ level, base: { process: 'test' } }, stream) };
}

const pinoError = 50;
const pinoWarn = 40;

describe('kafka adapter: createKafkaClient', () => {
  it("writes kafkajs's own errors as pino JSON lines of the process, marked component kafkajs", async () => {
    const { lines, logger } = capturingLogger();
    // Nothing listens on port 1: connecting fails at once, and kafkajs logs why.
    const kafka = createKafkaClient({
      clientId: 'adapter-test',
      brokers: ['127.0.0.1:1'],
      logger,
      connectionTimeout: 500,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await expectAsync(admin.connect()).toBeRejected();
    await admin.disconnect();
    const errors = lines.filter((line) => line.level === pinoError);
    expect(errors.length).toBeGreaterThan(0);
    for (const line of errors) {
      expect(line.component).toBe('kafkajs');
      expect(line.process).toBe('test');
    }
    expect(errors.map((line) => line.msg)).toContain(jasmine.stringMatching(/Connection error/));
  });

  it('leaves out the warning about bounded retries of an idempotent producer, and only that', () => {
    const { lines, logger } = capturingLogger();
    const kafka = createKafkaClient({ clientId: 'adapter-test', brokers: ['127.0.0.1:1'], logger });
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 3 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    expect(lines.map((line) => line.msg)).not.toContain(
      jasmine.stringMatching(/Limiting retries for the idempotent producer/),
    );
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    log({
      namespace: 'Producer',
      level: logLevel.WARN,
      label: 'WARN',
      log: { message: 'Limiting retries or not, this one is kept', timestamp: 'now', topic: 't' },
    });
    expect(lines.filter((line) => line.msg.includes('this one is kept'))).toEqual([
      jasmine.objectContaining({
        level: pinoWarn,
        msg: 'Limiting retries or not, this one is kept',
        component: 'kafkajs',
        topic: 't',
      }),
    ]);
  });
});
