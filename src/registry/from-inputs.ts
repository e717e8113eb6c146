import type { Inputs } from '../inputs.js';
import type { Registry } from '../model.js';
import { withGhcrPackagesApi } from './ghcr.js';
import { createRegistry } from './oci.js';

/** The registry client the action and the CLI use, from their shared inputs. */
export function registryFromInputs(inputs: Inputs, warn: (message: string) => void): Registry {
  const registry = createRegistry(inputs);
  return inputs.ghcrPackagesApi
    ? withGhcrPackagesApi(registry, { apiUrl: inputs.apiUrl, token: inputs.token, warn })
    : registry;
}
