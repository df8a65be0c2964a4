// @emms/queue: bench runs on many workers through BullMQ on Redis, with a shared artifact store.
export { QUEUE_CODES } from './codes';
export { openRedis, PASSWORD_ENV, parseQueueUrl, type QueueConnection, redact } from './connection';
export {
  type EnqueuedRun,
  type EnqueueOptions,
  enqueueBench,
  type RunProgress,
  type WaitOptions,
  waitForRun,
} from './enqueue';
export { decodeFailure, encodeFailure, type JobResult, runReportPath, taskReportPath } from './handlers';
export {
  allowedPath,
  checkSpec,
  type ExtractJob,
  type FlabelsJob,
  JobSchema,
  jobIdOf,
  parseJob,
  type QueueJob,
  type ReportJob,
  resolveDatasetRef,
  resolveEmbedderRef,
  resolveModelRef,
  runIdOf,
  type TaskJob,
  type WorkerPolicy,
} from './jobs';
export { ArtifactStore } from './store';
export { DEFAULT_QUEUE, type RunWorkerOptions, runWorker } from './worker';
