// Round-trip over the shared corpus of real Argo CD Image Updater files (/work/shared/corpus, see
// its INDEX.md): write-back must change only the intended scalars. For each real `.argocd-source`
// file, every image in it is moved to a synthetic newer version; for each corpus Application that
// discovers into a spec, its write-back target (the one its annotations or CR name, with its real
// key paths and kustomize names) is filled with old versions and then edited. Each edit must keep
// the line count, touch only lines holding a changed value, and parse to the original with only
// those values replaced. Skipped, saying so, when the corpus is absent (CI has it).
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { Document, parse } from 'yaml';
import { parseImageRef } from '../../src/images/ref.js';
import { discover } from '../../src/manifests/discover.js';
import type { AppSource, Candidate, ImageSpec, UpdateSpec } from '../../src/model.js';
import { editArgocdSource } from '../../src/writeback/argocd-source.js';
import { helmImageParams } from '../../src/writeback/helmvalues.js';
import { resolveTarget } from '../../src/writeback/index.js';
import type { ImageUpdate } from '../../src/writeback/update.js';
import { kustomizeEntry, kustomizeImageName } from '../../src/writeback/kustomization.js';
import { parseYamlFile } from '../../src/yaml/file.js';
import { YamlFiles } from '../../src/yaml/files.js';
import { parseKeyPath, type PathSegment } from '../../src/yaml/path.js';
import { corpusDir, corpusFiles, readCorpusFile } from '../../test-support/corpus.js';
import { image, planOne } from '../writeback/fixtures.js';

const files = corpusFiles('corpus round-trip tests').filter((f) => f.endsWith('.yaml'));
const present = files.length > 0;
const describeCorpus = present ? describe : describe.skip;
const read = readCorpusFile;

const NEW_TAG = '99.0.0';
const OLD_TAG = '0.0.1';
const NEW_DIGEST = `sha256:${'a'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;

type Json = unknown;
interface ValueChange {
  before: string;
  after: string;
}

/** Sets `path` in a plain JS value, creating maps (or a list for a numeric segment) as needed. */
function setPath(root: Json, segments: PathSegment[], value: Json): Json {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  const fresh: Json = typeof head === 'number' ? [] : {};
  const container = (root && typeof root === 'object' ? root : fresh) as Record<string | number, Json>;
  container[head] = setPath(container[head], rest, value);
  return container;
}

/**
 * The diff check: same line count, and every line that differs is the old line with one changed
 * value's text replaced by its new text (so comments, order, quoting and spacing are untouched).
 */
function expectOnlyValueLines(before: string, after: string, changes: ValueChange[]): void {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  const differing = a.flatMap((line, i) => (line === b[i] ? [] : [{ before: line, after: b[i] ?? '' }]));
  for (const line of differing) {
    // The old value's text is replaced by the new one's in place: same quoting, same spacing.
    const explained = changes.some(
      (c) => line.before.includes(c.before) && line.after === line.before.replace(c.before, c.after)
    );
    expect({ line, explained }).toEqual({ line, explained: true });
  }
  expect(differing.length).toBeLessThanOrEqual(changes.length);
}

// ---- Real .argocd-source files ----

interface HelmParam {
  name: string;
  value: string;
  forcestring?: boolean;
}

const SOURCE: AppSource = { repoURL: 'https://example.com/repo.git', path: '.' };
const spec = (alias: string, ref: string, extra: Partial<ImageSpec> = {}): ImageSpec =>
  image(ref, { alias, ...extra });

/** Each `<prefix>tag` parameter with a sibling `<prefix>name|repository|image` holding the image. */
function helmImages(params: HelmParam[]): { update: ImageUpdate; tagIndex: number; nameIndex: number }[] {
  return params.flatMap((p, tagIndex) => {
    if (!p.name.endsWith('tag')) return [];
    const prefix = p.name.slice(0, -'tag'.length);
    const nameIndex = ['name', 'repository', 'image']
      .map((suffix) => params.findIndex((q) => q.name === prefix + suffix))
      .find((i) => i >= 0);
    if (nameIndex === undefined) return [];
    const image = spec(`image${tagIndex}`, params[nameIndex]!.value, {
      helm: { name: params[nameIndex]!.name, tag: p.name }
    });
    return [{ update: { image, tag: NEW_TAG }, tagIndex, nameIndex }];
  });
}

function roundTripHelmSource(file: string, before: string): void {
  const original = parse(before) as { helm: { parameters: HelmParam[] } };
  const params = original.helm.parameters;
  const images = helmImages(params);
  expect(images.length).toBeGreaterThan(0);
  const after = editArgocdSource({
    file,
    before: parseYamlFile(file, before),
    appType: 'helm',
    source: SOURCE,
    updates: images.map((i) => i.update)
  }).text;
  const expected = structuredClone(original);
  const changes: ValueChange[] = [];
  for (const { tagIndex, nameIndex } of images) {
    const tag = expected.helm.parameters[tagIndex]!;
    changes.push({ before: String(tag.value), after: NEW_TAG });
    tag.value = NEW_TAG;
    for (const p of [tag, expected.helm.parameters[nameIndex]!]) {
      if (p.forcestring !== true)
        changes.push({ before: `forcestring: ${p.forcestring}`, after: 'forcestring: true' });
      p.forcestring = true;
    }
  }
  expect(parse(after)).toEqual(expected);
  expectOnlyValueLines(before, after, changes);
}

function roundTripKustomizeSource(file: string, before: string): void {
  const original = parse(before) as { kustomize: { images: string[] } };
  const updates = original.kustomize.images.map((entry, i): ImageUpdate => {
    const eq = entry.indexOf('=');
    const ref = parseImageRef(entry.slice(eq + 1));
    const image = spec(`image${i}`, ref.name, {
      ...(eq >= 0 && { kustomize: { name: entry.slice(0, eq) } }),
      ...(ref.digest && { strategy: 'digest' as const, constraint: ref.tag })
    });
    // A digest-pinned entry keeps its tag and gets a new digest, as the digest strategy writes.
    return ref.digest ? { image, tag: ref.tag ?? '', digest: NEW_DIGEST } : { image, tag: NEW_TAG };
  });
  const after = editArgocdSource({
    file,
    before: parseYamlFile(file, before),
    appType: 'kustomize',
    source: SOURCE,
    updates
  }).text;
  const expected = updates.map(kustomizeEntry);
  expect(parse(after)).toEqual({ ...original, kustomize: { ...original.kustomize, images: expected } });
  expectOnlyValueLines(
    before,
    after,
    original.kustomize.images.map((entry, i) => ({ before: entry, after: expected[i]! }))
  );
}

// ---- Corpus Applications: their write-back targets, filled with old versions, then edited ----

function candidate(image: ImageSpec, fresh: boolean): Candidate {
  if (image.strategy === 'digest')
    return { tag: image.constraint ?? 'latest', digest: fresh ? NEW_DIGEST : OLD_DIGEST };
  return { tag: fresh ? NEW_TAG : OLD_TAG };
}

const updateOf = (image: ImageSpec, fresh: boolean): ImageUpdate => {
  const c = candidate(image, fresh);
  return { image, tag: c.tag, ...(c.digest && { digest: c.digest }) };
};

/** A values file holding every image parameter of the spec at its old version, with comments around. */
function valuesFile(images: ImageSpec[]): {
  text: string;
  params: { path: PathSegment[]; old: string; fresh: string }[];
} {
  const doc = new Document({ replicaCount: 2 });
  doc.commentBefore = ' values written by hand';
  const params = images.flatMap((image) => {
    const fresh = helmImageParams(updateOf(image, true));
    return helmImageParams(updateOf(image, false)).map((p, i) => ({
      path: parseKeyPath(p.name),
      old: p.value,
      fresh: fresh[i]!.value
    }));
  });
  for (const p of params) doc.setIn(p.path, p.old);
  return { text: `${doc.toString()}# trailing comment\n`, params };
}

function kustomizationFile(images: ImageSpec[]): string {
  const entries = images.map((image) => {
    const name = kustomizeImageName(image);
    return {
      name,
      ...(name !== image.image.name && { newName: image.image.name }),
      newTag: candidate(image, false).tag,
      ...(image.strategy === 'digest' && { digest: OLD_DIGEST })
    };
  });
  return `# kustomization written by hand\nresources:\n  - deployment.yaml # the app\n${new Document({ images: entries }).toString()}`;
}

const typeOf = (s: UpdateSpec): 'helm' | 'kustomize' => {
  const { source, writeBack, images } = s;
  if (source?.chart || source?.helm || writeBack.target.kind === 'helmvalues') return 'helm';
  if (source?.kustomize || writeBack.target.kind === 'kustomization') return 'kustomize';
  return images.some((i) => i.kustomize) ? 'kustomize' : 'helm';
};

async function roundTripSpec(s: UpdateSpec): Promise<string> {
  const appType = typeOf(s);
  const images = s.images;
  const target = await resolveTarget(
    s,
    appType,
    { argocdNamespace: 'argocd', listing: [] },
    async () => undefined
  );
  if (target.kind === 'workloads') throw new Error('the corpus specs are helm or kustomize apps');
  // Charts from a Helm repository are written in their own manifest: shapes/chart-app.test.ts walks them.
  if (target.kind === 'chart') return `${s.app}: chart`;
  let before: string;
  const files = new Map<string, string>();
  const changes: ValueChange[] = [];
  let expected: Json;
  if (target.kind === 'helmvalues') {
    const values = valuesFile(images);
    before = values.text;
    expected = parse(before);
    for (const p of values.params) {
      setPath(expected, p.path, p.fresh);
      if (p.old !== p.fresh) changes.push({ before: p.old, after: p.fresh });
    }
  } else if (target.kind === 'kustomization') {
    before = kustomizationFile(images);
    expected = parse(before);
    const entries = (expected as { images: Record<string, string>[] }).images;
    for (const image of images) {
      const entry = entries.find((e) => e.name === kustomizeImageName(image))!;
      const fresh = candidate(image, true);
      const old = candidate(image, false);
      entry.newTag = fresh.tag;
      if (fresh.digest) entry.digest = fresh.digest;
      if (old.tag !== fresh.tag) changes.push({ before: old.tag, after: fresh.tag });
      if (fresh.digest) changes.push({ before: OLD_DIGEST, after: fresh.digest });
    }
  } else {
    // A new .argocd-source file at the old versions (what a first run writes), then the update.
    const created = editArgocdSource({
      file: target.file,
      before: undefined,
      appType,
      source: s.source!,
      updates: images.map((i) => updateOf(i, false))
    }).text;
    before = created;
    const fresh = editArgocdSource({
      file: target.file,
      before: undefined,
      appType,
      source: s.source!,
      updates: images.map((i) => updateOf(i, true))
    }).text;
    expected = parse(fresh);
    for (const image of images) {
      const [old, next] = [updateOf(image, false), updateOf(image, true)];
      if (appType === 'kustomize') changes.push({ before: kustomizeEntry(old), after: kustomizeEntry(next) });
      else
        helmImageParams(old).forEach((p, i) =>
          changes.push({ before: p.value, after: helmImageParams(next)[i]!.value })
        );
    }
  }
  const file =
    target.file ?? path.posix.join(target.kind === 'kustomization' ? target.dir : '', 'kustomization.yaml');
  files.set(file, before);
  const result = await planOne({
    spec: s,
    appType,
    changes: images.map((image) => ({ image, version: candidate(image, true) })),
    files: new YamlFiles(async (p) => files.get(p))
  });
  expect(result.file).toBe(file);
  const after = result.edit?.after ?? before;
  expect(parse(after)).toEqual(expected);
  expectOnlyValueLines(before, after, changes);
  return `${s.app}: ${target.kind} ${file}`;
}

const argocdSources = files.filter((f) => f.includes('.argocd-source-'));
const manifests = files.filter((f) => !f.includes('.argocd-source-'));
const specsOf = (name: string) =>
  discover([{ path: name, content: read(name) }], { argocdNamespace: 'argocd' }).specs.filter(
    (s) => s.source && !s.skipReason && s.images.length
  );
// CRs select Applications that live elsewhere; the corpus's own Applications are what we can edit.
const withSpecs = manifests.filter((name) => specsOf(name).length > 0);

describeCorpus(`write-back round-trip over the corpus at ${corpusDir}`, () => {
  it('finds the real .argocd-source files and the Applications INDEX.md describes', () => {
    expect(argocdSources.length).toBeGreaterThanOrEqual(24);
    expect(withSpecs.length).toBeGreaterThanOrEqual(30);
  });

  it.each(argocdSources)('%s: moving every image changes only its value lines', (name) => {
    const before = read(name);
    const kind = Object.keys(parse(before) as object)[0];
    if (kind === 'helm') roundTripHelmSource(name, before);
    else roundTripKustomizeSource(name, before);
  });

  it.each(withSpecs)('%s: its write-back target is edited only at the image values', async (name) => {
    const done = await Promise.all(specsOf(name).map(roundTripSpec));
    expect(done.length).toBeGreaterThan(0);
  });
});
