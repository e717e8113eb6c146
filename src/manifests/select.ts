// The `applications` input: which repo files are read as manifests.
import { compilePathGlobs } from './path-glob.js';

const DEFAULT_GLOBS = ['**/*.yaml', '**/*.yml'];

/**
 * Files matching any glob (see path-glob.ts; dotfiles included) and no `!negated` glob; no globs = every
 * `*.yaml`/`*.yml`. Never `.argocd-source-*` files (they are our output), nor the `templates/` of
 * a Helm chart (a `Chart.yaml` beside them): those are not manifests until rendered.
 */
export function selectManifestFiles(paths: string[], globs: string[]): string[] {
  const clean = (glob: string) => glob.trim().replace(/^\.\//, '');
  const positive = globs.filter((g) => !g.trim().startsWith('!')).map(clean);
  const negative = globs.filter((g) => g.trim().startsWith('!')).map((g) => clean(g.trim().slice(1)));
  const include = compilePathGlobs(positive.length ? positive : DEFAULT_GLOBS);
  const exclude = compilePathGlobs(negative);
  const charts = new Set(
    paths.filter((p) => /(^|\/)Chart\.yaml$/.test(p)).map((p) => p.slice(0, -'Chart.yaml'.length))
  );
  const inChartTemplates = (path: string) =>
    [...path.matchAll(/(?:^|\/)templates\//g)].some((m) =>
      charts.has(path.slice(0, m.index + m[0].length - 'templates/'.length))
    );
  const seen = new Set<string>();
  return paths.filter((path) => {
    const file = path.replace(/^\.\//, '');
    const base = file.slice(file.lastIndexOf('/') + 1);
    if (seen.has(file) || base.startsWith('.argocd-source-')) return false;
    seen.add(file);
    return include(file) && !exclude(file) && !inChartTemplates(file);
  });
}
