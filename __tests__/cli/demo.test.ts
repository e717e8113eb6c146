import { describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli.js';

const demo = resolve('demo');

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function demoCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aip-demo-'));
  await cp(join(demo, 'repo'), dir, { recursive: true });
  return dir;
}

const fixture = ['--registry-fixture', join(demo, 'registry.json')];

describe('CLI on the demo repo', () => {
  it('plans every healthy app, in manifest file order, and reports the broken ones (exit 1)', async () => {
    const { code, stdout } = await cli(['--dir', join(demo, 'repo'), ...fixture, '--json']);
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(out.updates).toEqual([
      {
        app: 'api',
        alias: 'api',
        image: 'ghcr.io/acme/api',
        from: 'main-1a2b3c4',
        to: 'main-5d6e7f8',
        strategy: 'newest-build',
        file: 'kustomize/api/overlays/prod/kustomization.yaml'
      },
      {
        app: 'web',
        alias: 'web',
        image: 'ghcr.io/acme/web',
        from: '1.4.1',
        to: '1.4.2',
        strategy: 'semver',
        file: 'charts/web/.argocd-source-web.yaml'
      },
      {
        app: 'worker-eu',
        alias: 'nginx',
        image: 'nginx',
        from: '1.27.1',
        to: '1.27.3',
        strategy: 'semver',
        file: 'kustomize/worker/.argocd-source-worker-eu.yaml'
      },
      {
        app: 'worker-us',
        alias: 'nginx',
        image: 'nginx',
        // Read from the workload the kustomization pulls in (no images: entry anywhere).
        from: '1.27.1',
        to: '1.27.3',
        strategy: 'semver',
        file: 'kustomize/worker/.argocd-source-worker-us.yaml'
      }
    ]);
    expect(out.changed).toBe(true);
    const errors = out.errors.map((e: Record<string, string>) => [e.file, e.app, e.alias, e.field]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ['apps/broken.yaml', 'legacy', 'legacy', 'argocd-image-updater.argoproj.io/legacy.update-strategy'],
        ['apps/broken.yaml', 'billing', 'billing', 'argocd-image-updater.argoproj.io/billing.allow-tags']
      ])
    );
    expect(out.errors).toHaveLength(2);
    expect(out.stats.applications).toBeGreaterThanOrEqual(4);
  });

  it('writes one-line diffs with --write, and a second run changes nothing', async () => {
    const dir = await demoCopy();
    try {
      const before = await readFile(join(dir, 'kustomize/api/overlays/prod/kustomization.yaml'), 'utf8');
      expect((await cli(['--dir', dir, ...fixture, '--write'])).code).toBe(1);
      const after = await readFile(join(dir, 'kustomize/api/overlays/prod/kustomization.yaml'), 'utf8');
      expect(after).toBe(before.replace('newTag: main-1a2b3c4 #', 'newTag: main-5d6e7f8 #'));
      const source = await readFile(join(dir, 'charts/web/.argocd-source-web.yaml'), 'utf8');
      expect(source).toContain('value: 1.4.2\n');
      expect(source).toContain('name: replicaCount');
      const again = JSON.parse((await cli(['--dir', dir, ...fixture, '--json'])).stdout);
      expect(again.updates).toEqual([]);
      expect(again.changed).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('in post-build mode plans only the apps using the pushed repository', async () => {
    const { stdout } = await cli([
      '--dir',
      join(demo, 'repo'),
      ...fixture,
      '--json',
      '--images',
      'ghcr.io/acme/web:1.4.9\nghcr.io/acme/web:sha-abc1234'
    ]);
    const out = JSON.parse(stdout);
    expect(out.updates.map((u: { app: string; to: string }) => [u.app, u.to])).toEqual([['web', '1.4.9']]);
  });

  it('prints the diff it would write without --write', async () => {
    const { stdout } = await cli(['--dir', join(demo, 'repo'), ...fixture]);
    expect(stdout).toContain('Files that would be written');
    expect(stdout).toMatch(/^-\s+newTag: main-1a2b3c4/m);
    expect(stdout).toMatch(/^\+\s+newTag: main-5d6e7f8/m);
  });

  it('says which apps use write-back-method argocd and are still written to git (design §3)', async () => {
    const { stdout } = await cli(['--dir', join(demo, 'repo'), ...fixture]);
    const note = 'write-back-method argocd: written to git by argocd-image-pr';
    const block = (app: string) => stdout.split('\n\n').find((b) => b.startsWith(`${app}  (`)) ?? '';
    // web and the workers leave the method at Argo CD Image Updater's default, argocd; api says git.
    for (const app of ['web', 'worker-eu', 'worker-us']) expect(block(app).split('\n')[1]).toContain(note);
    expect(block('api')).toMatch(/^api {2}\(apps\/api\.yaml\)\n {2}api: /);
    expect(block('api')).not.toContain(note);
  });
});

describe('CLI usage', () => {
  it('exits 2 on an unknown option, a bad input value or a missing --dir', async () => {
    expect((await cli(['--nope', 'x'])).code).toBe(2);
    expect((await cli(['--dir', demo, ...fixture, '--pull-request', 'sometimes'])).code).toBe(2);
    expect((await cli([...fixture])).code).toBe(2);
    const bad = await cli(['--dir', demo, ...fixture, '--pull-request', 'sometimes']);
    expect(bad.stderr).toContain('"pull-request" must be one of');
  });
  it('prints help with every input', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--allow-downgrade');
    expect(stdout).toContain('--argocd-namespace');
  });
});
