// Error codes of @emms/queue.
import { declareErrorCodes } from '@emms/tensor-io';

/** Stable error codes thrown by @emms/queue. */
export const QUEUE_CODES = declareErrorCodes('@emms/queue', {
  QUEUE_URL_INVALID: 'a queue address is not a redis:// or rediss:// URL',
  JOB_INVALID: 'a job payload does not match its schema',
  JOB_NOT_ALLOWED: 'a job names a model, dataset, file or plugin outside what the worker allows',
  RUN_NOT_FOUND: 'no run with that id in the queue or the shared store',
  RUN_FAILED: 'a queued run failed (the message carries the code and message of the cause)',
  REDIS_UNAVAILABLE:
    'Redis could not be reached within the allowed retries, or redis-server could not be started',
  REDIS_AUTH_FAILED: 'Redis refused the login (wrong user or password)',
});
