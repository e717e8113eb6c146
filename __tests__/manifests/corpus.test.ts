// Runs discover over the shared corpus of real-world Argo CD Image Updater manifests
// (/work/shared/corpus, described by its INDEX.md). The corpus lives outside the repo; without it
// these tests are skipped, and say so.
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { renderApplicationSets } from '../../src/manifests/applicationset/from-manifests.js';
import { discover } from '../../src/manifests/discover.js';
import type { DiscoverResult } from '../../src/model.js';
import { corpusDir, corpusFiles, readCorpusFile } from '../../test-support/corpus.js';
import { application, P } from './helpers.js';

const files = corpusFiles('corpus tests').filter((f) => f.endsWith('.yaml'));
const present = files.length > 0;
const describeCorpus = present ? describe : describe.skip;
const read = readCorpusFile;
const named = (number: string) => {
  const name = files.find((f) => f.startsWith(`${number}-`));
  if (!name) throw new Error(`corpus file ${number} missing`);
  return name;
};
/** One corpus file, plus Applications written for the test (a CR's targets live elsewhere). */
function discoverFile(name: string, extra: string[] = [], repository?: string): DiscoverResult {
  return discover(inputsOf(name, extra), { argocdNamespace: 'argocd', ...(repository && { repository }) });
}

const inputsOf = (name: string, extra: string[] = []) => [
  { path: name, content: read(name) },
  ...extra.map((content, i) => ({ path: `extra${i}.yaml`, content }))
];

/** discoverFile after rendering the file's ApplicationSets (without their repository's files). */
async function discoverRendered(name: string): Promise<DiscoverResult> {
  const inputs = inputsOf(name);
  const sets = await renderApplicationSets(inputs, {
    argocdNamespace: 'argocd',
    listing: [name],
    read: async (path) => (path === name ? read(name) : undefined)
  });
  const found = discover(inputs, { argocdNamespace: 'argocd' }, sets.generated);
  return {
    specs: found.specs,
    errors: [...sets.errors, ...found.errors],
    skipped: [...sets.skipped, ...found.skipped]
  };
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const hasUpdaterKey = (v: unknown): boolean =>
  Array.isArray(v)
    ? v.some(hasUpdaterKey)
    : isMap(v) && Object.entries(v).some(([k, x]) => k.startsWith(P) || hasUpdaterKey(x));

describeCorpus(`manifest corpus at ${corpusDir}`, () => {
  it('holds the files INDEX.md lists', () => {
    expect(files.length).toBeGreaterThanOrEqual(112);
  });

  it.each(files)('accounts for every Argo CD document of %s', async (name) => {
    const content = read(name);
    const result = await discoverRendered(name);
    const docs = parseAllDocuments(content, { uniqueKeys: false });
    const values = (Array.isArray(docs) ? docs : []).map((d) => (d.errors.length ? d.errors : d.toJS()));
    const kindOf = (v: unknown) =>
      isMap(v) ? `${String(v.apiVersion).split('/')[0]}/${String(v.kind)}` : '';
    const withCr = values.some((v) => kindOf(v) === 'argocd-image-updater.argoproj.io/ImageUpdater');
    values.forEach((value, doc) => {
      const kind = kindOf(value);
      const unparseable = Array.isArray(value) && value.length > 0 && !isMap(value[0]);
      // An Application without updater annotations is configuration only when a CR can select it.
      const relevant =
        (unparseable && content.includes('argoproj.io')) ||
        kind === 'argocd-image-updater.argoproj.io/ImageUpdater' ||
        hasUpdaterKey(value) ||
        (kind === 'argoproj.io/Application' && withCr);
      if (!relevant) return;
      const metadata = isMap(value) && isMap(value.metadata) ? value.metadata : {};
      const accounted =
        result.specs.some((s) => s.file === name && s.doc === doc) ||
        result.specs.some(
          (s) => s.origin.kind === 'imageupdater' && s.origin.file === name && s.origin.name === metadata.name
        ) ||
        result.errors.some((e) => e.file === name && e.doc === doc) ||
        result.skipped.some((s) => s.app === metadata.name || s.reason.includes(name));
      expect({ name, doc, kind, accounted }).toEqual({ name, doc, kind, accounted: true });
    });
  });

  it('050: a regexp given as update-strategy is an error of that image', () => {
    const result = discoverFile(named('050'));
    expect(result.specs).toEqual([]);
    expect(result.errors).toEqual([
      {
        file: named('050'),
        doc: 0,
        app: 'my-app',
        alias: 'myapp',
        field: `${P}myapp.update-strategy`,
        // the plain scalar keeps its doubled backslashes; the trailing comment is not part of it
        message: String.raw`unknown update strategy "regexp:^\\d+\\.[a-f0-9]{7}$" (a regexp belongs in allow-tags); expected semver, newest-build (or latest), digest or alphabetical (or name)`
      }
    ]);
  });

  it('097: the regexp strategy of an undeclared alias is an error; the alias-less image goes on with semver', () => {
    const result = discoverFile(named('097'));
    expect(result.specs.map((s) => [s.app, s.images.map((i) => [i.alias, i.strategy])])).toEqual([
      ['app-production', [['asyrawih/argo/sample-backend', 'semver']]]
    ]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        app: 'app-production',
        alias: 'ghcr.io-asyrawih-argo-sample-backend',
        field: `${P}ghcr.io-asyrawih-argo-sample-backend.update-strategy`,
        message: expect.stringMatching(/^unknown update strategy "regexp:/)
      })
    ]);
  });

  it('035: a Helm values file with repeated keys is reported as skipped per app, not as an error', () => {
    const result = discoverFile(named('035'));
    expect(result.errors).toEqual([]);
    expect(result.specs).toEqual([]);
    expect(result.skipped.map((s) => s.app)).toEqual(['demo-dev', 'demo-test', 'demo-prod']);
    expect(result.skipped[0]!.reason).toContain('applications.demo-dev.annotations are not read');
  });

  it('092: a CRLF ImageUpdater configures its Application', () => {
    expect(read(named('092'))).toContain('\r\n');
    const app = application({ name: 'replicated-database' });
    const result = discoverFile(named('092'), [app]);
    expect(result.errors).toEqual([]);
    const [spec] = result.specs;
    expect(spec!.origin).toEqual({ kind: 'imageupdater', name: 'image-updater', file: named('092') });
    expect(spec!.images.map((i) => [i.alias, i.image.repository, i.strategy])).toEqual([
      ['app', 'tylerwon/replicated-database-app', 'newest-build']
    ]);
  });

  it('060 and 044: block-scalar image-lists, newline-only and comma+newline separated', () => {
    const queen = discoverFile(named('060'));
    // digest without a tag to follow is an error, but both entries were read as aliased images
    expect(queen.errors.map((e) => [e.alias, e.field])).toEqual([
      ['api', `${P}api.update-strategy`],
      ['frontend', `${P}frontend.update-strategy`]
    ]);
    const mcp = discoverFile(named('044'));
    expect(mcp.errors).toEqual([]);
    expect(mcp.specs[0]!.images.map((i) => [i.alias, i.strategy, i.helm?.name])).toEqual([
      ['mcp-api', 'newest-build', 'api.image.repository'],
      ['mcp-bff', 'newest-build', 'bff.image.repository'],
      ['mcp-gateway', 'newest-build', 'gateway.image.repository']
    ]);
  });

  it('109: one image under three aliases, each with its own Helm keys and the spec-level settings', () => {
    const result = discoverFile(named('109'), [application({ name: 'webapp' })]);
    expect(result.errors).toEqual([]);
    const [spec] = result.specs;
    expect(
      spec!.images.map((i) => [
        i.alias,
        i.image.repository,
        i.helm,
        i.strategy,
        i.pullSecret,
        i.fieldOf.strategy
      ])
    ).toEqual(
      ['backend', 'frontend', 'celery'].map((alias) => [
        alias,
        'shashankcj/web_app',
        { name: `image.${alias}.repository`, tag: `image.${alias}.tag` },
        'newest-build',
        'pullsecret:argocd/regcred',
        'spec.commonUpdateSettings.updateStrategy'
      ])
    );
    expect(spec!.writeBack).toEqual({
      method: 'git',
      target: { kind: 'argocd-source' },
      branch: 'main',
      repository: 'https://github.com/Shashankcj/fullstact_project_gitops.git'
    });
  });

  it('008: an entry without alias is named after its image; annotations for other aliases are reported', () => {
    const result = discoverFile(named('008'));
    expect(result.specs[0]!.images.map((i) => i.alias)).toEqual(['some/invalid']);
    expect(result.skipped).toEqual([
      {
        app: 'image-updater-003',
        file: expect.stringMatching(/^008-/),
        alias: 'demoimage',
        reason: expect.any(String)
      }
    ]);
  });

  it('016: a chart + $values app writing to an absolute helmvalues path is writable', () => {
    const [spec] = discoverFile(named('016'), [], 'chengfang/image-updater-examples').specs;
    expect(spec!.skipReason).toBeUndefined();
    expect(spec!.source).toMatchObject({ chart: 'nginx', repoURL: 'https://charts.bitnami.com/bitnami' });
    expect(spec!.writeBack.target).toEqual({
      kind: 'helmvalues',
      path: '/empty-helmvalues/source2/values.yaml'
    });
  });

  it('079 and 106: ImageUpdater CRs of an invented schema are reported', () => {
    for (const number of ['079', '106']) {
      expect(discoverFile(named(number)).errors).toEqual([
        expect.objectContaining({ file: named(number), doc: 0, field: 'spec.applicationRefs' })
      ]);
    }
  });

  it('015, 046: ApplicationSets of list and matrix generators give their Applications, planned like written ones', async () => {
    const names = async (number: string) => (await discoverRendered(named(number))).specs.map((s) => s.app);
    expect(await names('015')).toEqual(['app1', 'app2']);
    const synapse = await discoverRendered(named('046'));
    expect(synapse.specs.map((s) => [s.app, s.generatedBy, s.source?.path])).toContainEqual([
      'synapse-frontend-dev',
      expect.any(String),
      'apps/frontend/overlays/dev'
    ]);
    expect(synapse.specs).toHaveLength(7);
  });

  it('013, 070: ApplicationSets whose git generators find nothing without their repository say so', async () => {
    for (const number of ['013', '070']) {
      const result = await discoverRendered(named(number));
      expect(result.specs).toEqual([]);
      expect(result.skipped).toEqual([
        {
          app: expect.any(String),
          file: expect.stringMatching(new RegExp(`^${number}-`)),
          reason: expect.stringMatching(/^ApplicationSet \S+ generates no Application/)
        }
      ]);
    }
  });

  it('088: annotations on a Deployment are skipped, not read', () => {
    expect(discoverFile(named('088')).skipped).toEqual([
      {
        app: 'fastapi-app',
        file: expect.stringMatching(/^088-/),
        reason: expect.stringContaining('Deployment fastapi-app is not an Argo CD Application')
      }
    ]);
  });
});
