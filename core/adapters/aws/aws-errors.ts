// Maps AWS SDK failures onto the closed StorageError codes of the ports (core/ports/errors.ts), so the
// protocols' single reply tables never see an AWS exception name.
import { StorageError } from '../../ports/errors.js';

/** AWS error names that mean "try again later", not "your request is wrong". */
const TRANSIENT_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'SlowDown',
  'TransactionInProgressException',
  'RequestTimeout',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
]);

export function awsErrorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const named = error as { name?: unknown; code?: unknown };
  return typeof named.name === 'string' && named.name !== 'Error' ? named.name : typeof named.code === 'string' ? named.code : '';
}

/** Rethrows StorageErrors as they are; wraps anything else with the matching code. */
export function toStorageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const name = awsErrorName(error);
  if (name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException') {
    return new StorageError('conflict', `${what}: concurrent change`, { cause: error });
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || name === 'ResourceNotFoundException' || name === 'QueueDoesNotExist') {
    return new StorageError('not-found', `${what}: not found`, { cause: error });
  }
  if (name === 'ValidationException' || name === 'InvalidRange' || name === 'InvalidParameterValue') {
    return new StorageError('invalid', `${what}: ${(error as Error).message}`, { cause: error });
  }
  if (TRANSIENT_ERROR_NAMES.has(name) || (error as { $retryable?: unknown })?.$retryable) {
    return new StorageError('unavailable', `${what}: AWS temporarily unavailable`, { cause: error });
  }
  return new StorageError('unavailable', `${what}: unexpected AWS error ${name || String(error)}`, { cause: error });
}

/** Runs an AWS call and converts its failure into a StorageError. */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStorageError(error, what);
  }
}
