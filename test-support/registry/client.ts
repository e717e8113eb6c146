// The product's registry client for a test registry, anonymous: what tests and benches read
// digests and signatures through.
import type { Registry } from '../../src/model.js';
import { createRegistry } from '../../src/registry/oci.js';
import type { RetryOptions } from '../../src/registry/http.js';
import { registriesEntry } from './server.js';

export function anonymousClient(
  target: { url: string; host: string },
  options: { concurrency?: number; retry?: RetryOptions } = {}
): Registry {
  return createRegistry({
    registries: registriesEntry(target),
    registryUsername: '',
    registryPassword: '',
    registryConcurrency: options.concurrency ?? 8,
    ...(options.retry && { retry: options.retry }),
    env: {}
  });
}
