import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/inputs.js';
import { parseImageRef } from '../../src/images/ref.js';
import { markedUpdates, parseMarker } from '../../src/publish/marker.js';
import {
  checkTemplate,
  renderCommitMessage,
  renderTitle,
  templateView
} from '../../src/publish/templates.js';
import { compareLink } from '../../src/images/source.js';
import { MAX_BODY, registryPage, renderPullRequestBody } from '../../src/report/pr-body.js';
import { imageChange } from './helpers.js';

const change = imageChange;

const build = (revision: string, source = 'https://github.com/acme/web') => ({
  digest: 'sha256:' + 'ab'.repeat(32),
  created: '2026-11-22T10:00:00.123Z',
  labels: { 'org.opencontainers.image.source': source, 'org.opencontainers.image.revision': revision }
});

describe('templates', () => {
  it('default title and commit message follow design §8', () => {
    const view = templateView('web', [
      change(),
      change({ alias: 'side', image: 'nginx', from: null, to: '1.28' })
    ]);
    expect(renderTitle('', view)).toBe('Update web: web 1.4.0 → 1.5.0, side (not found in git) → 1.28');
    expect(renderCommitMessage('', view)).toBe(
      "build: automatic update of web\n\nupdates image ghcr.io/acme/web tag '1.4.0' to '1.5.0'\n" +
        "updates image nginx tag '(not found in git)' to '1.28'"
    );
  });

  it('renders user templates over app and images, without HTML escaping', () => {
    const view = templateView('web', [change({ to: '1.5.0&<rc>' })]);
    expect(renderTitle('deploy {{app}}:{{#images}} {{alias}}={{to}}{{/images}}', view)).toBe(
      'deploy web: web=1.5.0&<rc>'
    );
    expect(
      renderCommitMessage('chore({{app}}): {{#images}}{{image}} {{from}}..{{to}}{{/images}}', view)
    ).toBe('chore(web): ghcr.io/acme/web 1.4.0..1.5.0&<rc>');
  });

  it('cuts titles to GitHub’s 256 characters and refuses templates that do not parse', () => {
    const many = templateView(
      'web',
      Array.from({ length: 40 }, (_, i) => change({ alias: `image-${i}` }))
    );
    expect(renderTitle('', many).length).toBe(256);
    expect(() => checkTemplate('title', 'Update {{#images}}{{alias}}')).toThrow(UsageError);
    expect(() => checkTemplate('title', 'Update {{#images}}{{alias}}')).toThrow(/input "title"/);
  });
});

describe('the PR body', () => {
  it('links the registry page and the source compare when both images carry OCI labels', () => {
    const body = renderPullRequestBody({
      apps: [{ app: 'web', file: 'apps/web.yaml' }],
      details: [
        {
          change: change(),
          ref: parseImageRef('ghcr.io/acme/web'),
          from: build('abc1234'),
          to: build('def5678')
        }
      ],
      marker: {
        updates: [{ app: 'web', alias: 'web', image: 'ghcr.io/acme/web', to: '1.5.0' }],
        commit: 'c',
        tree: 't'
      }
    });
    expect(body).toContain('<a href="https://ghcr.io/acme/web"><code>ghcr.io/acme/web</code></a>');
    expect(body).toContain(
      '<a href="https://github.com/acme/web/compare/abc1234...def5678">source changes</a>'
    );
    expect(body).toContain('| 2026-11-22T10:00:00Z |');
    expect(body).toContain('sha256:ababababab');
    expect(parseMarker(body)).toEqual({
      updates: [{ app: 'web', alias: 'web', image: 'ghcr.io/acme/web', to: '1.5.0' }],
      commit: 'c',
      tree: 't'
    });
  });

  it('says when the current version is not in git, and escapes what manifests control', () => {
    const body = renderPullRequestBody({
      apps: [{ app: 'web', file: 'apps/web.yaml' }],
      details: [
        { change: change({ from: null, alias: '<img src=x>|x' }), ref: parseImageRef('ghcr.io/acme/web') }
      ],
      marker: { updates: [] }
    });
    expect(body).toContain('current version not found in git');
    expect(body).not.toContain('<img');
    expect(body).toContain('&#60;img src=x&#62;&#124;x');
  });

  it('links only what it can: registry pages per host, compare only within one source repository', () => {
    expect(registryPage(parseImageRef('nginx'))).toBe('https://hub.docker.com/_/nginx');
    expect(registryPage(parseImageRef('bitnami/redis'))).toBe('https://hub.docker.com/r/bitnami/redis');
    expect(registryPage(parseImageRef('quay.io/org/app'))).toBe('https://quay.io/repository/org/app');
    expect(registryPage(parseImageRef('registry.internal:5000/app'))).toBeUndefined();
    expect(compareLink(build('a1'), build('b2', 'https://github.com/acme/other'))).toBeUndefined();
    expect(compareLink(build('a1'), build('a1'))).toBeUndefined();
    expect(
      compareLink(build('a1', 'javascript:alert(1)'), build('b2', 'javascript:alert(1)'))
    ).toBeUndefined();
    expect(compareLink(build('a1', 'https://github.com/acme/web.git'), build('b2'))).toBe(
      'https://github.com/acme/web/compare/a1...b2'
    );
  });
});

describe('PR bodies within GitHub limit', () => {
  it('keeps a grouped body under 65,536 characters, whole marker, and says how many rows were left out', () => {
    const details = Array.from({ length: 400 }, (_, i) => ({
      change: imageChange({
        app: `app-${i}`,
        alias: `alias-${i}`,
        image: `ghcr.io/acme/image-${i}`,
        to: `1.${i}.0`
      }),
      ref: parseImageRef(`ghcr.io/acme/image-${i}`)
    }));
    const marker = { updates: markedUpdates(details.map((d) => d.change)) };
    const body = renderPullRequestBody({
      apps: details.map((d) => ({ app: d.change.app, file: 'f.yaml' })),
      details,
      marker
    });
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    expect(parseMarker(body)?.updates).toHaveLength(400);
    expect(body).toMatch(/<em>\d+ more change\(s\) left out of this table/);
  });
});

describe('source labels that would walk out of the repository', () => {
  it('are not a source range: no link, no GitHub request', async () => {
    const { sourceRange } = await import('../../src/images/source.js');
    const build = (revision: string, source: string) => ({
      digest: 'sha256:0',
      labels: { 'org.opencontainers.image.source': source, 'org.opencontainers.image.revision': revision }
    });
    for (const source of [
      'https://github.com/../user',
      'https://github.com/acme/..',
      'https://github.com/./x'
    ]) {
      expect(sourceRange(build('a1', source), build('b2', source))).toBeUndefined();
    }
    const ok = 'https://github.com/acme/web';
    expect(sourceRange(build('..', ok), build('b2', ok))).toBeUndefined();
    expect(sourceRange(build('a1', ok), build('b2', ok))).toMatchObject({ owner: 'acme', repo: 'web' });
  });
});
