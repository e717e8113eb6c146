// The `applications` input: which repo files are read as manifests.
import { compilePathGlobs } from './path-glob.js';

const DEFAULT_GLOBS = ['**/*.yaml', '**/*.yml'];

/**
 * Files matching any glob (see path-glob.ts; dotfiles included) and no `!negated` glob; no globs = every
 * `*.yaml`/`*.yml`. Never `.argocd-source-*` files (they are our output). Helm templates are
 * selected too: discover reports those that carry image-updater configuration it cannot render.
 */
export function selectManifestFiles(paths: string[], globs: string[]): string[] {
  const clean = (glob: string) => glob.trim().replace(/^\.\//, '');
  const positive = globs.filter((g) => !g.trim().startsWith('!')).map(clean);
  const negative = globs.filter((g) => g.trim().startsWith('!')).map((g) => clean(g.trim().slice(1)));
  const include = compilePathGlobs(positive.length ? positive : DEFAULT_GLOBS);
  const exclude = compilePathGlobs(negative);
  const seen = new Set<string>();
  return paths.filter((path) => {
    const file = path.replace(/^\.\//, '');
    const base = file.slice(file.lastIndexOf('/') + 1);
    if (seen.has(file) || base.startsWith('.argocd-source-')) return false;
    seen.add(file);
    return include(file) && !exclude(file);
  });
}
