import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import type { AppSource, Candidate, ImageSpec } from '../../src/model.js';
import { argocdSourceFileName } from '../../src/writeback/argocd-source.js';
import { corpusFiles, readCorpusFile } from '../../test-support/corpus.js';
import { image, lineDiff, yamlFiles, spec, planOne } from './fixtures.js';

const DIGEST = 'sha256:' + 'a'.repeat(64);
const FILE = 'apps/web/.argocd-source-web.yaml';

async function write(
  source: Partial<AppSource>,
  changes: { image: ImageSpec; version: Candidate }[],
  before?: string,
  appType: 'helm' | 'kustomize' = source.kustomize ? 'kustomize' : 'helm'
) {
  const result = await planOne({
    spec: spec(source),
    appType,
    changes,
    files: yamlFiles(before === undefined ? {} : { [FILE]: before })
  });
  expect(result.file).toBe(FILE);
  return result.edit;
}

describe('.argocd-source file name', () => {
  it('uses <namespace>_<app> only outside the Argo CD namespace', () => {
    expect(argocdSourceFileName(spec({}, { app: 'web' }), 'argocd')).toBe('.argocd-source-web.yaml');
    // The name Argo CD Image Updater wrote in the corpus (026) for app image-updater-007 in namespace dev.
    expect(argocdSourceFileName(spec({}, { app: 'image-updater-007', namespace: 'dev' }), 'argocd')).toBe(
      '.argocd-source-dev_image-updater-007.yaml'
    );
    expect(argocdSourceFileName(spec({}, { app: 'web', namespace: 'gitops' }), 'gitops')).toBe(
      '.argocd-source-web.yaml'
    );
  });
  it('refuses app names with a slash', () => {
    expect(() => argocdSourceFileName(spec({}, { app: '../x' }), 'argocd')).toThrow(/contains "\/"/);
  });
});

describe('helm parameters', () => {
  const nginx = image('nginx');

  it('renders a new file like Argo CD Image Updater, sorted, forcestring true', async () => {
    const edit = await write({ helm: { parameters: [], valueFiles: [] } }, [
      { image: nginx, version: { tag: '1.27.1' } }
    ]);
    expect(edit).toEqual({
      path: FILE,
      before: undefined,
      after: [
        'helm:',
        '  parameters:',
        '  - name: image.name',
        '    value: nginx',
        '    forcestring: true',
        '  - name: image.tag',
        '    value: 1.27.1',
        '    forcestring: true',
        ''
      ].join('\n')
    });
  });

  it("carries the Application's own parameters, and quotes values YAML would retype", async () => {
    const edit = await write(
      {
        helm: {
          parameters: [
            { name: 'replicaCount', value: '2' },
            { name: 'ingress.enabled', value: 'true', forceString: true }
          ],
          valueFiles: []
        }
      },
      [
        {
          image: image('ghcr.io/o/app', { helm: { name: 'app.repo', tag: 'app.tag' } }),
          version: { tag: '1.10' }
        }
      ]
    );
    expect(parse(edit!.after)).toEqual({
      helm: {
        parameters: [
          { name: 'app.repo', value: 'ghcr.io/o/app', forcestring: true },
          { name: 'app.tag', value: '1.10', forcestring: true },
          { name: 'ingress.enabled', value: 'true', forcestring: true },
          { name: 'replicaCount', value: '2', forcestring: false }
        ]
      }
    });
    expect(edit!.after).toContain('value: "1.10"');
  });

  it('writes tag@digest for the digest strategy, and the full ref for a spec parameter', async () => {
    const digest = image('nginx', { strategy: 'digest', constraint: 'stable' });
    const tagged = await write({}, [{ image: digest, version: { tag: 'stable', digest: DIGEST } }]);
    expect(parse(tagged!.after).helm.parameters[1]).toEqual({
      name: 'image.tag',
      value: `stable@${DIGEST}`,
      forcestring: true
    });
    const specParam = image('ghcr.io/o/app', { helm: { spec: 'app.image' } });
    const full = await write({}, [{ image: specParam, version: { tag: 'v2', digest: DIGEST } }]);
    // Only the spec parameter; a digest from newest-build is not written.
    expect(parse(full!.after).helm.parameters).toEqual([
      { name: 'app.image', value: 'ghcr.io/o/app:v2', forcestring: true }
    ]);
    const specDigest = image('ghcr.io/o/app', { helm: { spec: 'app.image' }, strategy: 'digest' });
    const pinned = await write({}, [{ image: specDigest, version: { tag: 'main', digest: DIGEST } }]);
    expect(parse(pinned!.after).helm.parameters[0].value).toBe(`ghcr.io/o/app@${DIGEST}`);
  });

  // The shape of corpus 023/059: extra non-image params, forcestring false on an image param.
  const existing = [
    'helm:',
    '  parameters:',
    '  - name: env',
    '    value: us',
    '    forcestring: false',
    '  - name: image.name',
    '    value: nginx',
    '    forcestring: false',
    '  - name: image.tag',
    '    value: "0.2"',
    '    forcestring: true',
    ''
  ].join('\n');

  it('updates an existing file in place: value (quoting kept), forcestring made true, others untouched', async () => {
    const edit = await write({}, [{ image: nginx, version: { tag: '0.3' } }], existing);
    expect(edit!.before).toBe(existing);
    expect(edit!.after).toBe(
      existing
        .replace('"0.2"', '"0.3"')
        .replace('nginx\n    forcestring: false', 'nginx\n    forcestring: true')
    );
  });

  it('changes one line when only the tag changes', async () => {
    const edit = await write(
      {},
      [{ image: nginx, version: { tag: '0.3' } }],
      existing.replace('false\n  - name: image.tag', 'true\n  - name: image.tag')
    );
    expect(lineDiff(edit!.before!, edit!.after)).toEqual({
      removed: ['    value: "0.2"\n'],
      added: ['    value: "0.3"\n']
    });
  });

  it('adds missing entries at their sorted place and a missing forcestring key', async () => {
    const before =
      'helm:\n  parameters:\n  - name: a\n    value: x\n  - name: image.tag\n    value: v1\n  - name: z\n    value: y\n';
    const edit = await write(
      { helm: { parameters: [{ name: 'b', value: '1' }], valueFiles: [] } },
      [{ image: nginx, version: { tag: 'v2' } }],
      before
    );
    expect(edit!.after).toBe(
      [
        'helm:',
        '  parameters:',
        '  - name: a',
        '    value: x',
        '  - name: b',
        '    value: "1"',
        '    forcestring: false',
        '  - name: image.name',
        '    value: nginx',
        '    forcestring: true',
        '  - name: image.tag',
        '    value: v2',
        '    forcestring: true',
        '  - name: z',
        '    value: y',
        ''
      ].join('\n')
    );
  });

  it('keeps a forceString spelling and the value the file already overrides for app parameters', async () => {
    const before =
      'helm:\n  parameters:\n  - name: image.name\n    value: nginx\n    forceString: true\n  - name: image.tag\n    value: v1\n    forceString: false\n  - name: replicas\n    value: "5"\n';
    const edit = await write(
      { helm: { parameters: [{ name: 'replicas', value: '2' }], valueFiles: [] } },
      [{ image: nginx, version: { tag: 'v2' } }],
      before
    );
    // Argo CD reads `forceString` as well as `forcestring` (Go's JSON is case-insensitive): no second key.
    expect(edit!.after).toBe(before.replace('v1', 'v2').replace('forceString: false', 'forceString: true'));
  });

  it('adds helm.parameters to an existing file that has none, keeping its other content', async () => {
    const before = '# managed by CI\nhelm:\n  valueFiles:\n  - prod.yaml\n';
    const edit = await write({}, [{ image: nginx, version: { tag: 'v2' } }], before);
    expect(edit!.after).toBe(
      before +
        '  parameters:\n  - name: image.name\n    value: nginx\n    forcestring: true\n  - name: image.tag\n    value: v2\n    forcestring: true\n'
    );
  });

  it('writes nothing when the file already holds the version', async () => {
    const edit = await write(
      {},
      [{ image: nginx, version: { tag: '0.2' } }],
      existing.replace('nginx\n    forcestring: false', 'nginx\n    forcestring: true')
    );
    expect(edit).toBeUndefined();
  });
});

describe('kustomize images', () => {
  it('renders a new file with the app entries first, the image replaced in place', async () => {
    const edit = await write({ kustomize: { images: ['docker.io/library/nginx:1.0', 'redis:7'] } }, [
      { image: image('nginx'), version: { tag: '1.1' } },
      { image: image('ghcr.io/o/api', { kustomize: { name: 'api' } }), version: { tag: 'v3' } }
    ]);
    expect(edit!.after).toBe('kustomize:\n  images:\n  - nginx:1.1\n  - redis:7\n  - api=ghcr.io/o/api:v3\n');
  });

  it('replaces the entry of the same image (implicit docker.io equals explicit), keeping order and style', async () => {
    const before = 'kustomize:\n    images:\n    - docker.io/library/nginx:1.0 # pinned\n    - "redis:7"\n';
    const edit = await write(
      { kustomize: { images: [] } },
      [
        { image: image('redis'), version: { tag: '7.2' } },
        { image: image('ghcr.io/o/new'), version: { tag: '1' } }
      ],
      before
    );
    expect(edit!.after).toBe(
      'kustomize:\n    images:\n    - docker.io/library/nginx:1.0 # pinned\n    - "redis:7.2"\n    - ghcr.io/o/new:1\n'
    );
  });

  it('writes digests and the name= form; an entry in the app spec but not in the file is added', async () => {
    const before = 'kustomize:\n  images:\n  - app=registry.example.com/app:old@' + DIGEST + '\n';
    const d2 = 'sha256:' + 'b'.repeat(64);
    const edit = await write(
      { kustomize: { images: ['busybox:1.36'] } },
      [
        {
          image: image('registry.example.com/app', { kustomize: { name: 'app' }, strategy: 'digest' }),
          version: { tag: 'stable', digest: d2 }
        }
      ],
      before
    );
    expect(edit!.after).toBe(
      `kustomize:\n  images:\n  - app=registry.example.com/app:stable@${d2}\n  - busybox:1.36\n`
    );
  });
});

// ---- RFC 7396: what Argo CD does with the file ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7396 section 2: objects merge recursively, null deletes, anything else (lists too) replaces. */
function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: { [key: string]: Json } = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * The source as Argo CD's Go structs see it: JSON field names match case-insensitively
 * (`forcestring` is `forceString`), false equals absent (omitempty), and parameter order only
 * matters for duplicate names, so parameters compare by name.
 */
function asArgoCD(source: Json): Json {
  const s = JSON.parse(JSON.stringify(source)) as { [key: string]: Json };
  const helm = s.helm as { parameters?: { [key: string]: Json }[] } | undefined;
  if (helm?.parameters) {
    helm.parameters = helm.parameters
      .map((p) => ({ name: p.name!, value: p.value!, forceString: Boolean(p.forceString ?? p.forcestring) }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }
  return s;
}

describe('the file merged into the Application source by Argo CD', () => {
  const helmSource: AppSource = {
    repoURL: 'https://github.com/o/r',
    path: 'apps/web',
    targetRevision: 'main',
    helm: {
      parameters: [
        { name: 'replicaCount', value: '2' },
        { name: 'image.tag', value: '1.0', forceString: true },
        { name: 'ingress.host', value: 'web.example.com' }
      ],
      valueFiles: ['values-prod.yaml']
    }
  };

  async function effective(
    source: AppSource,
    changes: { image: ImageSpec; version: Candidate }[],
    before?: string
  ) {
    const edit = await write(source, changes, before, source.kustomize ? 'kustomize' : 'helm');
    return asArgoCD(mergePatch(source as unknown as Json, parse(edit!.after) as Json));
  }

  it('equals the spec with only the image values changed (helm, new file)', async () => {
    const got = await effective(helmSource, [{ image: image('nginx'), version: { tag: '1.1' } }]);
    const expected = structuredClone(helmSource) as AppSource;
    expected.helm!.parameters[1]!.value = '1.1';
    expected.helm!.parameters.push({ name: 'image.name', value: 'nginx', forceString: true });
    expect(got).toEqual(asArgoCD(expected as unknown as Json));
  });

  it('still does when an older file lacks the app parameters', async () => {
    const stale = 'helm:\n  parameters:\n  - name: image.tag\n    value: "0.9"\n    forcestring: true\n';
    const got = await effective(helmSource, [{ image: image('nginx'), version: { tag: '1.1' } }], stale);
    const expected = structuredClone(helmSource) as AppSource;
    expected.helm!.parameters[1]!.value = '1.1';
    expected.helm!.parameters.push({ name: 'image.name', value: 'nginx', forceString: true });
    expect(got).toEqual(asArgoCD(expected as unknown as Json));
  });

  it('equals the spec with only the image entry changed (kustomize)', async () => {
    const source: AppSource = {
      repoURL: 'https://github.com/o/r',
      path: 'apps/web',
      kustomize: { images: ['redis:7', 'nginx:1.0', 'busybox:1.36'] }
    };
    const got = await effective(source, [{ image: image('docker.io/nginx'), version: { tag: '1.1' } }]);
    expect(got).toEqual({
      ...source,
      kustomize: { images: ['redis:7', 'docker.io/nginx:1.1', 'busybox:1.36'] }
    });
  });
});

// ---- Real files written by Argo CD Image Updater (never copied into this repo) ----

const corpus = corpusFiles('.argocd-source corpus round-trips').filter((f) => f.includes('.argocd-source-'));

describe.each(corpus.length ? corpus : ['(corpus not available)'])('corpus %s', (name) => {
  (corpus.length ? it : it.skip)('a round-trip edit changes only the intended scalar', async () => {
    const before = readCorpusFile(name);
    const data = parse(before) as {
      helm?: { parameters: { name: string; value: string }[] };
      kustomize?: { images: string[] };
    };
    let change: { image: ImageSpec; version: Candidate };
    let oldValue: string;
    let newValue: string;
    if (data.helm) {
      const params = data.helm.parameters;
      const tag = params.find((p) => /tag$/i.test(p.name))!;
      const prefix = tag.name.slice(0, -'tag'.length);
      // The name parameter the updater wrote: `name` before `repository` before `image` (059 has both).
      const repo = ['name', 'repository', 'image']
        .map((suffix) => params.find((p) => p !== tag && p.name === prefix + suffix))
        .find((p) => p !== undefined)!;
      change = {
        image: image(repo.value, { helm: { name: repo.name, tag: tag.name } }),
        version: { tag: 'v9.9.9-test' }
      };
      oldValue = tag.value;
      newValue = 'v9.9.9-test';
    } else {
      const entry = data.kustomize!.images[0]!;
      const eq = entry.indexOf('=');
      const ref = entry.slice(eq + 1);
      const at = ref.indexOf('@');
      const withoutDigest = at < 0 ? ref : ref.slice(0, at);
      const name = withoutDigest.slice(0, withoutDigest.lastIndexOf(':'));
      const digest = at < 0 ? undefined : 'sha256:' + 'c'.repeat(64);
      change = {
        image: image(name, {
          ...(eq >= 0 && { kustomize: { name: entry.slice(0, eq) } }),
          strategy: digest ? 'digest' : 'semver'
        }),
        version: { tag: 'v9.9.9-test', ...(digest && { digest }) }
      };
      oldValue = entry;
      newValue = `${eq >= 0 ? entry.slice(0, eq + 1) : ''}${name}:v9.9.9-test${digest ? '@' + digest : ''}`;
    }
    const edit = await write(data.helm ? {} : { kustomize: { images: [] } }, [change], before);
    const diff = lineDiff(before, edit!.after);
    expect(diff.removed).toHaveLength(1);
    expect(diff.added).toEqual([diff.removed[0]!.replace(oldValue, newValue)]);
    expect(JSON.stringify(parse(edit!.after))).toBe(
      JSON.stringify(parse(before)).replace(JSON.stringify(oldValue), JSON.stringify(newValue))
    );
  });
});
