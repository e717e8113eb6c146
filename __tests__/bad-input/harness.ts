// Runs one bad-input case through the real CLI (`--dir --write --json`) in a temp copy of a small
// cluster-config repo that also holds a healthy app, and checks what every case must hold: the run
// resolves, the expected error (or skip) is reported where it belongs, the healthy app is still
// written, and nothing outside the repo is touched (a sentinel and an `outside/` dir sit beside it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli.js';
import { startLyingRegistry, type LyingRegistry } from './lying-registry.js';

export const P = 'argocd-image-updater.argoproj.io/';

/** A file's text, or a symbolic link (`@OUTSIDE@` is the absolute `outside/` dir beside the repo). */
export type CaseFile = string | { link: string };

export interface ExpectedError {
  file?: string;
  app?: string;
  alias?: string;
  field?: string | RegExp;
  message: RegExp;
}

export interface BadCase {
  name: string;
  /** Repo-relative files added to (or replacing) the base repo; `@PARENT@`/`@OUTSIDE@` are expanded. */
  files: Record<string, CaseFile>;
  args?: string[];
  expect: {
    error?: ExpectedError;
    skipped?: { app: string; alias?: string; reason: RegExp };
    update?: { app: string; alias?: string; to: string };
    /** Repo-relative files this case legitimately writes besides the healthy app's (`@PARENT@` expanded). */
    writes?: string[];
  };
}

const HEALTHY_TARGET = 'charts/healthy/.argocd-source-healthy.yaml';

/** An Application manifest as YAML text (`annotations` keys without the updater prefix get it). */
export function application(options: {
  name?: unknown;
  namespace?: unknown;
  annotations?: Record<string, unknown>;
  source?: unknown;
  spec?: unknown;
}): string {
  const annotations = Object.fromEntries(
    Object.entries(options.annotations ?? {}).map(([k, v]) => [k.includes('/') ? k : P + k, v])
  );
  return stringify(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: options.name ?? 'bad',
        ...(options.namespace !== undefined && { namespace: options.namespace }),
        annotations
      },
      spec: options.spec ?? {
        project: 'default',
        source: options.source ?? { repoURL: 'https://github.com/acme/config.git', path: 'charts/bad' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'bad' }
      }
    },
    { lineWidth: 0 }
  );
}

const BASE: Record<string, string> = {
  'apps/healthy.yaml': application({
    name: 'healthy',
    annotations: { 'image-list': 'web=ghcr.io/acme/web' },
    source: { repoURL: 'https://github.com/acme/config.git', path: 'charts/healthy' }
  }),
  'charts/healthy/Chart.yaml': 'apiVersion: v2\nname: healthy\nversion: 0.1.0\n',
  'charts/healthy/values.yaml': 'image:\n  name: ghcr.io/acme/web\n  tag: 1.0.0\n',
  'charts/bad/Chart.yaml': 'apiVersion: v2\nname: bad\nversion: 0.1.0\n',
  'charts/bad/values.yaml': '# the bad app\nimage:\n  name: ghcr.io/acme/web\n  tag: 1.0.0 # pinned\n',
  'kustomize/bad/kustomization.yaml':
    'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.0.0\n',
  'kustomize/bad/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\n'
};

type Snapshot = Map<string, string>;

/** Every entry under `dir`: file contents, `-> target` for links, `<dir>` for directories. */
async function snapshot(dir: string, prefix = ''): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const entry of await readdir(dir)) {
    const full = join(dir, entry);
    const rel = prefix + entry;
    const stat = await lstat(full);
    if (stat.isSymbolicLink()) out.set(rel, `-> ${await readlink(full)}`);
    else if (stat.isDirectory()) {
      out.set(rel, '<dir>');
      for (const [k, v] of await snapshot(full, `${rel}/`)) out.set(k, v);
    } else out.set(rel, await readFile(full, 'latin1'));
  }
  return out;
}

function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

interface Outputs {
  updates: { app: string; alias: string; to: string; file: string }[];
  skipped: { app: string; alias?: string; reason: string }[];
  errors: { file?: string; app?: string; alias?: string; field?: string; message: string }[];
}

export interface CaseRun {
  code: number;
  outputs: Outputs;
  /** Paths (relative to the temp parent, repo files as `repo/...`) whose content changed. */
  changed: string[];
  healthyTarget?: string;
  ms: number;
  /** The temp dir holding `repo/`, `outside/` and the sentinel (removed by now). */
  parent: string;
}

export async function runCase(c: BadCase, registry: LyingRegistry): Promise<CaseRun> {
  const parent = await mkdtemp(join(tmpdir(), 'argocd-image-pr-bad-input-'));
  try {
    const repo = join(parent, 'repo');
    const outside = join(parent, 'outside');
    const expand = (text: string) => text.split('@PARENT@').join(parent).split('@OUTSIDE@').join(outside);
    await mkdir(outside, { recursive: true });
    await writeFile(join(parent, 'sentinel.txt'), 'do not touch\n');
    await writeFile(join(outside, 'values.yaml'), 'image:\n  tag: 0.0.1\n');
    for (const [path, content] of Object.entries({ ...BASE, ...c.files })) {
      const full = join(repo, expand(path));
      await mkdir(dirname(full), { recursive: true });
      if (typeof content === 'string') await writeFile(full, expand(content));
      else await symlink(expand(content.link), full);
    }
    const before = await snapshot(parent);
    let stdout = '';
    const started = Date.now();
    const code = await runCli(
      [
        '--dir',
        repo,
        '--write',
        '--json',
        '--registries',
        // Docker Hub too, so that no case can reach beyond 127.0.0.1; `auth.lie.test` is a registry
        // of its own (its auth challenges must not bear on ghcr.io's).
        ['ghcr.io', 'docker.io', 'auth.lie.test']
          .map((prefix) => `- prefix: ${prefix}\n  api-url: ${registry.url}\n  insecure: true`)
          .join('\n'),
        ...(c.args ?? [])
      ],
      { stdout: (t) => (stdout += t), stderr: () => {} }
    );
    const ms = Date.now() - started;
    const after = await snapshot(parent);
    return {
      code,
      outputs: JSON.parse(stdout) as Outputs,
      changed: changedPaths(before, after),
      healthyTarget: after.get(`repo/${HEALTHY_TARGET}`),
      ms,
      parent
    };
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

function matches(value: string | undefined, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'string' ? value === expected : value !== undefined && expected.test(value);
}

/** The invariants every case must hold, then the case's own expectation. */
export function checkCase(c: BadCase, run: CaseRun): void {
  const { outputs } = run;
  // The healthy app is planned and written, whatever the bad one did.
  expect(outputs.updates).toContainEqual(
    expect.objectContaining({ app: 'healthy', alias: 'web', to: '1.2.0', file: HEALTHY_TARGET })
  );
  expect(run.healthyTarget).toContain('value: 1.2.0');
  // Nothing outside the repo changed, and inside it only the files the run was meant to write.
  const written = (c.expect.writes ?? []).map((p) =>
    p.split('@PARENT@').join(run.parent).replace(/^\/+/, '')
  );
  const allowed = new Set([HEALTHY_TARGET, ...written].map((p) => `repo/${p}`));
  const isParentOfAllowed = (p: string) => [...allowed].some((a) => a.startsWith(`${p}/`));
  expect(run.changed.filter((p) => !allowed.has(p) && !isParentOfAllowed(p))).toEqual([]);
  // Every error is explained, and scoped to a file or app.
  for (const error of outputs.errors) {
    expect(error.message.length).toBeGreaterThan(0);
    // A hostile value is quoted, not echoed whole (run.ts clips messages).
    expect(error.message.length).toBeLessThan(1100);
    expect((error.field ?? '').length).toBeLessThan(1100);
    expect(error.message).not.toMatch(/^internal error/);
    expect(error.file ?? error.app).toBeDefined();
  }
  const { error, skipped, update } = c.expect;
  if (error) {
    const found = outputs.errors.find(
      (e) =>
        matches(e.file, error.file) &&
        matches(e.app, error.app) &&
        matches(e.alias, error.alias) &&
        matches(e.field, error.field) &&
        error.message.test(e.message)
    );
    if (!found)
      throw new Error(
        `expected error ${String(error.message)}; got ${JSON.stringify(outputs.errors, null, 2)}`
      );
    expect(run.code).toBe(1);
  } else {
    expect(outputs.errors).toEqual([]);
    expect(run.code).toBe(0);
  }
  for (const s of outputs.skipped) expect(s.reason.length).toBeLessThan(1100);
  if (skipped) {
    const found = outputs.skipped.find(
      (s) => s.app === skipped.app && matches(s.alias, skipped.alias) && skipped.reason.test(s.reason)
    );
    if (!found)
      throw new Error(
        `expected skip ${String(skipped.reason)}; got ${JSON.stringify(outputs.skipped, null, 2)}`
      );
  }
  if (update) expect(outputs.updates).toContainEqual(expect.objectContaining(update));
}

/** Runs a table of cases against one lying registry; each case must also finish quickly. */
export function describeCases(title: string, cases: BadCase[], maxMs = 5000): void {
  describe(title, () => {
    let registry: LyingRegistry;
    beforeAll(async () => {
      registry = await startLyingRegistry();
    });
    afterAll(() => registry?.stop());

    it('has uniquely named cases', () => {
      expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const run = await runCase(c, registry);
      checkCase(c, run);
      expect(run.ms).toBeLessThan(maxMs);
    });
  });
}
