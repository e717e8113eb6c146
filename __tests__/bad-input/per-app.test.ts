// Bad-input corpus, part 9: failures stay per app. A name too long for a file, an alias outside
// the pattern and annotation keys that only look like ours: each is reported for its app, and the
// healthy app is still written (harness.ts). A write the file system refuses: paths.test.ts.
import { application, describeCases, type BadCase } from './harness.js';

const BAD = 'apps/bad.yaml';
const source = { repoURL: 'https://github.com/acme/config.git', path: 'charts/bad' };
/** A valid Kubernetes name (DNS subdomain) of 251 characters: `.argocd-source-<name>.yaml` is 271 bytes. */
const LONG = Array.from({ length: 4 }, (_, i) => String(i).repeat(62)).join('.');

const cases: BadCase[] = [
  {
    name: 'an app name too long for its .argocd-source file is an error for that app, before writing',
    files: {
      [BAD]: application({ name: LONG, annotations: { 'image-list': 'web=ghcr.io/acme/web' }, source })
    },
    expect: {
      error: {
        file: BAD,
        app: LONG,
        message: /override file name \.argocd-source-0+.* would be 271 bytes, more than the 255/
      }
    }
  },
  {
    name: 'an annotation key with a Cyrillic letter in the prefix is named, not silently ignored',
    files: {
      [BAD]: application({
        annotations: { 'argocd-image-updater.argoproj.i\u043e/image-list': 'web=ghcr.io/acme/web' },
        source
      })
    },
    expect: {
      skipped: {
        app: 'bad',
        reason: /argoproj\.i\u043e\/image-list is ignored: it looks like .* U\+043E, not "o"/
      }
    }
  },
  {
    name: 'an annotation key with capitals in the prefix is named',
    files: {
      [BAD]: application({
        annotations: { 'Argocd-Image-Updater.argoproj.io/image-list': 'web=ghcr.io/acme/web' },
        source
      })
    },
    expect: {
      skipped: {
        app: 'bad',
        reason: /Argocd-Image-Updater\.argoproj\.io\/image-list is ignored: .*U\+0041, not "a"/
      }
    }
  },
  {
    name: 'an annotation key with a zero-width space and an en dash in the prefix is named',
    files: {
      [BAD]: application({
        annotations: { 'argocd\u2013image-updater.argo\u200bproj.io/image-list': 'web=ghcr.io/acme/web' },
        source
      })
    },
    expect: { skipped: { app: 'bad', reason: /is ignored: it looks like .*U\+2013, not "-"/ } }
  },
  {
    name: "an explicit alias outside Image Updater's pattern is an error naming it",
    files: { [BAD]: application({ annotations: { 'image-list': '-web=ghcr.io/acme/web' }, source }) },
    expect: { error: { file: BAD, app: 'bad', alias: '-web', message: /^invalid alias "-web"/ } }
  }
];

describeCases('failures stay per app', cases);
