// The shared corpus of real Argo CD manifests (../shared/corpus/files beside the repository; CI
// has it). Tests that walk it skip, saying so, when it is absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const corpusDir = fileURLToPath(new URL('../../shared/corpus/files', import.meta.url));

/** The corpus file names (sorted), or [] after a warning naming `what` was skipped. */
export function corpusFiles(what: string): string[] {
  if (!existsSync(corpusDir)) {
    console.warn(`manifest corpus not found at ${corpusDir}: ${what} skipped`);
    return [];
  }
  return readdirSync(corpusDir).sort();
}

export const readCorpusFile = (name: string): string => readFileSync(`${corpusDir}/${name}`, 'utf8');
