import { UsageError } from '../inputs.js';

/** A registry request that failed for good (after retries). Messages never carry secrets. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    message: string,
    /** The HTTP status that decided the failure, when there was one. */
    readonly status?: number
  ) {
    super(message);
  }
}

/** A malformed `registries` input: bad usage, reported before any request is made. */
export class RegistryConfigError extends UsageError {
  override name = 'RegistryConfigError';
}
