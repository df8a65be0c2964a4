import type { CliCommand } from '../command';
import { agreementCommand } from './agreement';
import { benchCommand } from './bench';
import { embedLabelsCommand } from './embed-labels';
import { extractCommand } from './extract';
import { inspectCommand } from './inspect';
import { metricsCommand } from './metrics';
import { queueBenchCommand } from './queue-bench';
import { rankCommand } from './rank';
import { scoreCommand } from './score';
import { workerCommand } from './worker';
import { zooCommand } from './zoo';

/**
 * Every subcommand, in the order `emms --help` lists them. A new command is one file in this
 * folder exporting a {@link CliCommand}, added here.
 */
export const commands: readonly CliCommand[] = [
  inspectCommand,
  scoreCommand,
  metricsCommand,
  embedLabelsCommand,
  extractCommand,
  zooCommand,
  agreementCommand,
  benchCommand,
  rankCommand,
  workerCommand,
  queueBenchCommand,
];
