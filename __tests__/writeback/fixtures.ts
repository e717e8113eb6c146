// Builders shared by the write-back and current-version tests.

import { parseImageRef } from '../../src/images/ref.js';
import type { AppSource, ImageSpec, UpdateSpec, WriteBackTarget } from '../../src/model.js';
import { planEdits } from '../../src/writeback/index.js';
import { YamlFiles } from '../../src/yaml/files.js';

export function image(ref: string, extra: Partial<ImageSpec> = {}): ImageSpec {
  return {
    alias: 'app',
    image: parseImageRef(ref),
    strategy: 'semver',
    ignoreTags: [],
    platforms: [],
    forceUpdate: false,
    fieldOf: {},
    ...extra
  };
}

export function spec(
  source: Partial<AppSource>,
  opts: { app?: string; namespace?: string; target?: WriteBackTarget; images?: ImageSpec[] } = {}
): UpdateSpec {
  return {
    file: 'apps/app.yaml',
    doc: 0,
    app: opts.app ?? 'web',
    namespace: opts.namespace ?? 'argocd',
    source: { repoURL: 'https://github.com/o/r', path: 'apps/web', ...source },
    images: opts.images ?? [],
    writeBack: { method: 'git', target: opts.target ?? { kind: 'argocd-source' } },
    origin: { kind: 'annotations' }
  };
}

/** An in-memory repo read function. */
export function reader(files: Record<string, string>): (path: string) => Promise<string | undefined> {
  return (path) => Promise.resolve(files[path]);
}

/** The run's YAML view of an in-memory repo. */
export function yamlFiles(files: Record<string, string>): YamlFiles {
  return new YamlFiles(reader(files));
}

/**
 * The one region where two texts differ, as whole lines (line endings kept): a one-value change
 * must show up as exactly one removed and one added line.
 */
export function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split(/(?<=\n)/);
  const b = after.split(/(?<=\n)/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end])
    end++;
  return { removed: a.slice(start, a.length - end), added: b.slice(start, b.length - end) };
}

/** planEdits for an app with one target file: that file and its edit (undefined when unchanged). */
export async function planOne(
  input: Omit<Parameters<typeof planEdits>[0], 'context'>,
  listing: string[] = []
) {
  const result = await planEdits({ ...input, context: { argocdNamespace: 'argocd', listing } });
  return { file: result.files[0], edit: result.edits[0]?.edit, ...result };
}
