// `npm run bench:publish [-- --apps 20,200] [--budget 500]`: what publishing costs on GitHub, a
// report, not a test. For each size, a cluster-config repo of that many Helm apps on the fake
// GitHub (test-support/github, a real git repository behind GitHub's REST and GraphQL shapes) and
// an in-memory registry with a newer tag for every app; then three runs through runOnGitHub, the
// action's own path: the first opens the PRs, the second updates them to a newer tag, the third
// finds nothing to do. Prints wall time, GitHub reads and writes, and writes per PR.
import { createGitHubClient } from '../src/github/client.js';
import { parseInputs } from '../src/inputs.js';
import { runOnGitHub } from '../src/publish/index.js';
import { MemoryRegistry, type RegistryFixture } from '../src/registry/memory.js';
import { startFakeGitHub, type FakeGitHub } from '../test-support/github/index.js';

const OWNER = 'acme';
const REPO = 'cluster-config';

function app(name: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: app=ghcr.io/acme/${name}:1.x
    argocd-image-updater.argoproj.io/app.helm.image-name: image.repository
    argocd-image-updater.argoproj.io/app.helm.image-tag: image.tag
spec:
  project: default
  source:
    repoURL: https://github.com/${OWNER}/${REPO}.git
    targetRevision: main
    path: charts/${name}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`;
}

function seed(apps: number): Record<string, string> {
  const files: Record<string, string> = { 'README.md': '# cluster config\n' };
  for (let i = 0; i < apps; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    files[`apps/${name}.yaml`] = app(name);
    files[`charts/${name}/Chart.yaml`] = `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;
    files[`charts/${name}/values.yaml`] = `image:\n  repository: ghcr.io/acme/${name}\n  tag: 1.0.0\n`;
  }
  return files;
}

function registry(apps: number, tags: string[]): MemoryRegistry {
  const fixture: RegistryFixture = { images: {} };
  for (let i = 0; i < apps; i++) {
    fixture.images[`ghcr.io/acme/svc-${String(i).padStart(4, '0')}`] = {
      tags: Object.fromEntries(tags.map((t, j) => [t, { created: `2026-11-0${j + 1}T00:00:00Z` }]))
    };
  }
  return MemoryRegistry.fromFixture(fixture);
}

interface Figures {
  run: string;
  ms: number;
  reads: number;
  writes: number;
  created: number;
  updated: number;
  unchanged: number;
  deferred: number;
}

async function once(
  gh: FakeGitHub,
  label: string,
  apps: number,
  tags: string[],
  budget: number
): Promise<Figures> {
  gh.resetLog();
  const github = createGitHubClient({ token: gh.token, apiUrl: gh.url, writeSpacingMs: 0 });
  const values: Record<string, string> = {
    token: gh.token,
    repository: `${OWNER}/${REPO}`,
    'api-url': gh.url,
    'write-budget': String(budget)
  };
  const started = performance.now();
  const { result, pullRequests } = await runOnGitHub({
    inputs: parseInputs((name) => values[name]),
    github,
    registry: registry(apps, tags),
    log: () => {},
    warn: (w) => console.error(`warning: ${w}`)
  });
  const ms = performance.now() - started;
  if (result.errors.length) console.error(JSON.stringify(result.errors.slice(0, 3)));
  const count = (op: string) => pullRequests.filter((p) => p.operation === op).length;
  return {
    run: label,
    ms,
    reads: gh.requests.filter((r) => !r.wrote).length,
    writes: gh.writes(),
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    deferred: result.skipped.filter((s) => s.reason.startsWith('deferred')).length
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
  };
  const sizes = flag('--apps', '20,200').split(',').map(Number);
  const budget = Number(flag('--budget', '500'));
  const rows: (Figures & { apps: number })[] = [];
  for (const apps of sizes) {
    const gh = await startFakeGitHub({ owner: OWNER, repo: REPO, files: seed(apps) });
    try {
      rows.push({ apps, ...(await once(gh, 'open', apps, ['1.0.0', '1.1.0'], budget)) });
      rows.push({ apps, ...(await once(gh, 'newer tag', apps, ['1.0.0', '1.1.0', '1.2.0'], budget)) });
      rows.push({ apps, ...(await once(gh, 'no change', apps, ['1.0.0', '1.1.0', '1.2.0'], budget)) });
    } finally {
      await gh.stop();
    }
  }
  console.log(
    `write-budget ${budget}; GitHub requests to the fake (writes: requests that changed something)`
  );
  console.log(
    '| apps | run | wall s | reads | writes | created | updated | unchanged | deferred | writes/PR |'
  );
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const prs = r.created + r.updated;
    const perPr = prs ? (r.writes / prs).toFixed(2) : '-';
    console.log(
      `| ${r.apps} | ${r.run} | ${(r.ms / 1000).toFixed(2)} | ${r.reads} | ${r.writes} | ${r.created} | ${r.updated} | ${r.unchanged} | ${r.deferred} | ${perPr} |`
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
