import { createLogger, runUntilSignalled } from '@flashsale/runtime';
import { loadOperatorConfig, startOperator } from '@flashsale/operator';

const logger = createLogger('operator', process.env.LOG_LEVEL ?? 'info');

/** Exit status when the lease was lost: the process restarts clean rather than limp on. */
const lostLeadershipExitCode = 75;

await runUntilSignalled(
  logger,
  async () => {
    const operator = await startOperator(loadOperatorConfig(), {
      logger,
      onLostLeadership: () => {
        // Writes are already refused; nothing this process holds in memory is trusted again.
        logger.fatal('lost the leader lease without stepping down; exiting to restart clean');
        logger.flush?.();
        process.exit(lostLeadershipExitCode);
      },
    });
    logger.info({ identity: operator.identity }, 'operator running');
    return { shutdown: () => operator.shutdown() };
  },
  20_000,
);
