import { createGitHubClient } from '../github/client.js';
import type { Inputs } from '../inputs.js';
import type { Registry } from '../model.js';
import { parseRegistries } from './config.js';
import { withGhcrPackagesApi } from './ghcr.js';
import { createRegistry } from './oci.js';

/**
 * The registry client the action and the CLI use, from their shared inputs; `env` holds the
 * `env:VAR` credentials and the docker config location.
 */
export function registryFromInputs(
  inputs: Inputs,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env
): Registry {
  const registry = createRegistry({ ...inputs, env });
  if (!inputs.ghcrPackagesApi) return registry;
  if (!inputs.token) {
    warn('ghcr-packages-api needs a token that can read the packages; using the registry');
    return registry;
  }
  const github = createGitHubClient({ token: inputs.token, apiUrl: inputs.apiUrl, warn });
  return withGhcrPackagesApi(registry, { github, warn });
}

/**
 * The `env:VAR` credentials the `registries` input names (whole `user:pass` values and the
 * passwords alone), for masking before anything is logged. A malformed input has none: it is
 * reported when the client is built.
 */
export function secretsOf(registries: string, env: NodeJS.ProcessEnv): string[] {
  let entries: ReturnType<typeof parseRegistries>;
  try {
    entries = parseRegistries(registries);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const value = entry.credentials?.startsWith('env:') ? env[entry.credentials.slice(4)] : undefined;
    if (!value) return [];
    const password = value.slice(value.indexOf(':') + 1);
    return password && password !== value ? [value, password] : [value];
  });
}
