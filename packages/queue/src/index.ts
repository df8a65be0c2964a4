// @emms/queue: the BullMQ executor of the harness's steps (bench runs on many workers through Redis).
export { QUEUE_CODES } from './codes';
export {
  DEFAULT_REDIS_RETRIES,
  type GuardedRedis,
  openRedis,
  PASSWORD_ENV,
  parseQueueUrl,
  type QueueConnection,
  type RedisLimits,
  redact,
  redactSecrets,
} from './connection';
export {
  type EnqueuedRun,
  type EnqueueOptions,
  enqueueBench,
  type QueueBenchOptions,
  type QueueBenchResult,
  type RunProgress,
  runBenchOnQueue,
  type WaitOptions,
  waitForRun,
} from './enqueue';
export {
  type QueueStageExecutorOptions,
  queueStageExecutor,
  type StepJobResult,
  Suspended,
} from './executor';
export {
  allowedPath,
  checkSpec,
  checkStepCall,
  decodeFailure,
  encodeFailure,
  JobSchema,
  parseJob,
  type QueueJob,
  type RunJob,
  resolveDatasetRef,
  resolveEmbedderRef,
  resolveModelRef,
  runIdOf,
  runJobIdOf,
  type StepJob,
  stepJobIdOf,
  type WorkerPolicy,
} from './jobs';
export { runReportPath } from './paths';
export { DEFAULT_QUEUE, DEFAULT_STEP_JOB_OPTIONS, type RunWorkerOptions, runWorker } from './worker';
