// Error codes of @emms/queue.
import { declareErrorCodes } from '@emms/tensor-io';

/** Stable error codes thrown by @emms/queue. */
export const QUEUE_CODES = declareErrorCodes('@emms/queue', {
  QUEUE_URL_INVALID: 'a queue address is not a redis:// or rediss:// URL',
  JOB_INVALID: 'a job payload does not match its schema',
  JOB_NOT_ALLOWED: 'a job names a model, dataset, file or plugin outside what the worker allows',
  RUN_NOT_FOUND: 'no run with that id in the queue or the shared store',
  RUN_FAILED: 'the final report job of a run failed',
  STORE_UNWRITABLE: 'the shared artifact folder cannot be written',
  REDIS_UNAVAILABLE: 'redis-server could not be started or reached',
});
