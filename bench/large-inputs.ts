// `npm run bench:large`: the CLI (dist/cli, built from this source) on inputs at the edge of what a
// cluster-config repo or registry holds: a 20 MB manifest file, a 3.4 MB values file of 150,000
// keys, an Application with 3,000 helm.parameters, and a repository of 1,000,000 tags served as an
// OCI registry would (1,000-tag pages with Link headers). Prints wall time and peak RSS of each run
// against the budget (10 s, 512 MB on a 2-core machine); a report, never a CI gate.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { timed, type Timed } from './proc.js';

const CLI = resolve(process.cwd(), 'dist/cli/index.js');
const BUDGET = { ms: 10_000, mb: 512 };
const REPO_URL = 'https://github.com/acme/config.git';

const app = (name: string, annotations: Record<string, string>, source: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    '  annotations:',
    ...Object.entries(annotations).map(
      ([k, v]) => `    argocd-image-updater.argoproj.io/${k}: ${JSON.stringify(v)}`
    ),
    'spec:',
    '  project: default',
    '  source:',
    `    repoURL: ${REPO_URL}`,
    ...source.split('\n').map((l) => `    ${l}`),
    '  destination:',
    '    server: https://kubernetes.default.svc',
    `    namespace: ${name}`,
    ''
  ].join('\n');

const chart = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;

interface Case {
  name: string;
  files: () => Record<string, string>;
  /** Registry tags of ghcr.io/acme/web (a --registry-fixture), unless `server` serves them. */
  tags?: string[];
  server?: boolean;
  expectUpdates: number;
}

const CASES: Case[] = [
  {
    name: '20 MB manifest file (one Application per document, one of them annotated)',
    files: () => {
      const docs: string[] = [app('web', { 'image-list': 'web=ghcr.io/acme/web' }, 'path: charts/web')];
      // The length is kept as it grows: joining every time made generating the input quadratic.
      for (let i = 0, length = docs[0]!.length; length < 20 * 1024 * 1024; i++) {
        const doc = app(
          `other-${i}`,
          {},
          `path: charts/other-${i}\nhelm:\n  valueFiles:\n    - values-${i}.yaml`
        );
        docs.push(doc);
        length += doc.length + '---\n'.length;
      }
      return { 'apps/all.yaml': docs.join('---\n'), 'charts/web/Chart.yaml': chart('web') };
    },
    tags: ['1.0.0', '1.1.0'],
    expectUpdates: 1
  },
  {
    name: '3.4 MB values file of 150,000 keys, the tag written in place',
    files: () => {
      const lines = ['image:', '  repository: ghcr.io/acme/web', '  tag: 1.0.0'];
      for (let i = 0; i < 150_000 - 3; i++) lines.push(`key${String(i).padStart(6, '0')}: value-${i}`);
      return {
        'apps/web.yaml': app(
          'web',
          {
            'image-list': 'web=ghcr.io/acme/web',
            'web.helm.image-name': 'image.repository',
            'web.helm.image-tag': 'image.tag',
            'write-back-target': 'helmvalues'
          },
          'path: charts/web'
        ),
        'charts/web/Chart.yaml': chart('web'),
        'charts/web/values.yaml': lines.join('\n') + '\n'
      };
    },
    tags: ['1.0.0', '1.1.0'],
    expectUpdates: 1
  },
  {
    name: '3,000 helm.parameters carried into .argocd-source in one pass',
    files: () => {
      const params = Array.from(
        { length: 3000 },
        (_, i) => `    - name: param${String(i).padStart(4, '0')}\n      value: "v${i}"`
      );
      return {
        'apps/web.yaml': app(
          'web',
          { 'image-list': 'web=ghcr.io/acme/web' },
          `path: charts/web\nhelm:\n  parameters:\n${params.join('\n')}`
        ),
        'charts/web/Chart.yaml': chart('web')
      };
    },
    tags: ['1.0.0', '1.1.0'],
    expectUpdates: 1
  },
  {
    name: '1,000,000 tags in 1,000 pages of an OCI registry (semver)',
    files: () => ({
      'apps/web.yaml': app('web', { 'image-list': 'web=ghcr.io/acme/web:^1.0' }, 'path: charts/web'),
      'charts/web/Chart.yaml': chart('web')
    }),
    server: true,
    expectUpdates: 1
  }
];

/** A registry with 1,000,000 tags of acme/web (`1.<major>.<minor>` and build tags), paged by 1,000. */
async function startTagServer(): Promise<{ url: string; requests: () => number; stop: () => Promise<void> }> {
  const TOTAL = 1_000_000;
  const tagAt = (i: number) =>
    i % 2
      ? `1.${Math.floor(i / 2000)}.${Math.floor(i / 2) % 1000}`
      : `main-${i.toString(16).padStart(7, '0')}`;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/v2/' || url.pathname === '/v2') return res.writeHead(200).end('{}');
    if (url.pathname === '/v2/acme/web/tags/list') {
      const n = Number(url.searchParams.get('n') ?? 1000);
      const last = url.searchParams.get('last');
      const start = last === null ? 0 : Number(url.searchParams.get('i') ?? 0);
      const end = Math.min(TOTAL, start + n);
      const tags = Array.from({ length: end - start }, (_, k) => tagAt(start + k));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (end < TOTAL)
        headers.link = `</v2/acme/web/tags/list?n=${n}&last=${tags.at(-1)}&i=${end}>; rel="next"`;
      return res.writeHead(200, headers).end(JSON.stringify({ name: 'acme/web', tags }));
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    stop: () => new Promise<void>((ok) => server.close(() => ok()))
  };
}

async function runCase(c: Case, scratch: string): Promise<{ run: Timed; requests?: number }> {
  const dir = await mkdtemp(join(scratch, 'repo-'));
  for (const [path, content] of Object.entries(c.files())) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const args = [CLI, '--dir', dir, '--json'];
  const server = c.server ? await startTagServer() : undefined;
  try {
    if (server) args.push('--registries', `- prefix: ghcr.io\n  api-url: ${server.url}\n  insecure: true`);
    else {
      const fixture = join(scratch, 'fixture.json');
      const tags = Object.fromEntries((c.tags ?? []).map((t) => [t, { created: '2026-11-01T00:00:00Z' }]));
      await writeFile(fixture, JSON.stringify({ images: { 'ghcr.io/acme/web': { tags } } }));
      args.push('--registry-fixture', fixture);
    }
    const run = await timed(process.execPath, args, { scratch, timeoutMs: 120_000 });
    return { run, ...(server && { requests: server.requests() }) };
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'argocd-image-pr-large-'));
  let over = 0;
  try {
    console.log(
      `| Input | Wall | Peak RSS | Requests | Updates | Within ${BUDGET.ms / 1000} s / ${BUDGET.mb} MB |`
    );
    console.log('|---|---|---|---|---|---|');
    for (const c of CASES) {
      const { run, requests } = await runCase(c, scratch);
      let updates = -1;
      try {
        const out = JSON.parse(run.stdout) as { updates: unknown[]; errors: unknown[] };
        updates = out.updates.length;
        if (out.errors.length) console.error(`${c.name}: errors ${JSON.stringify(out.errors).slice(0, 500)}`);
      } catch {
        console.error(
          `${c.name}: no JSON output (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${run.stderr.slice(0, 500)}`
        );
      }
      const mb = run.maxRssKb === undefined ? undefined : run.maxRssKb / 1024;
      const ok =
        run.wallMs < BUDGET.ms && (mb === undefined || mb < BUDGET.mb) && updates === c.expectUpdates;
      if (!ok) over++;
      console.log(
        `| ${c.name} | ${(run.wallMs / 1000).toFixed(2)} s | ${mb === undefined ? '?' : `${mb.toFixed(0)} MB`} | ` +
          `${requests ?? '—'} | ${updates} | ${ok ? 'yes' : 'NO'} |`
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (over) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
