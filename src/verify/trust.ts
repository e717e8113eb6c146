// The Sigstore trusted roots keyless checks use: a file the workflow names (`trusted-root`,
// e.g. the output of `gh attestation trusted-root`, which adds GitHub's own instance for
// private repositories), or the public-good instance's, fetched and checked through TUF.
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot } from '@sigstore/tuf';
import { parseTrustedRoots } from './sigstore.js';

export async function loadTrustedRoots(
  path: string | undefined,
  env: NodeJS.ProcessEnv
): Promise<TrustedRoot[]> {
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(
        `trusted-root ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        { cause: err }
      );
    }
    try {
      return parseTrustedRoots(text);
    } catch (err) {
      throw new Error(`trusted-root ${path} is not a Sigstore trusted root (${(err as Error).message})`, {
        cause: err
      });
    }
  }
  // The TUF client caches metadata; the runner's temp directory is writable and per job.
  const cachePath = join(env.RUNNER_TEMP || tmpdir(), 'argocd-image-pr-sigstore-tuf');
  return [await getTrustedRoot({ cachePath })];
}
