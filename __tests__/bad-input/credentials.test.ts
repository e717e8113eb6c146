// Bad-input corpus, part 7: credentials in what a registry answers. A registry (or a proxy) that
// quotes our credentials back in an error, in any encoding, never gets them into a message; a
// password too short to be a secret is not scrubbed, so it cannot garble every other message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { secretForms } from '../../src/secrets.js';
import { runBundledAction } from '../../test-support/action.js';
import { startFakeGitHub } from '../../test-support/github/index.js';
import { application, checkCase, runCase, type BadCase } from './harness.js';
import { startLyingRegistry, type LyingRegistry } from './lying-registry.js';

const BAD = 'apps/bad.yaml';
const source = { repoURL: 'https://github.com/acme/config.git', path: 'charts/bad' };
/** URL-special characters, so that the URL-encoded and base64url forms differ from the others. */
const SECRET = 'p@ss w/rd+s3cr3t?&=';

const echoing = (password: string): BadCase => ({
  name: `credentials echoed by the registry (${password.length} characters)`,
  files: {
    [BAD]: application({ annotations: { 'image-list': 'web=ghcr.io/lie/echo-credentials' }, source })
  },
  args: ['--registry-username', 'bot', '--registry-password', password],
  expect: { error: { file: BAD, app: 'bad', message: /denied/ } }
});

describe('registry answers that quote our credentials', () => {
  let registry: LyingRegistry;
  beforeAll(async () => {
    registry = await startLyingRegistry();
  });
  afterAll(() => registry?.stop());

  it('an error quoting the password as is, in Basic auth, base64, base64url and URL-encoded shows none', async () => {
    const c = echoing(SECRET);
    const run = await runCase(c, registry);
    checkCase(c, run);
    const text = JSON.stringify(run.outputs);
    const forms = [...secretForms(SECRET), Buffer.from(`bot:${SECRET}`).toString('base64')];
    expect(forms.length).toBeGreaterThanOrEqual(5);
    for (const form of forms) expect(text).not.toContain(JSON.stringify(form).slice(1, -1));
    expect(run.outputs.errors[0]!.message).toMatch(/denied: Basic \*\*\* \*\*\* \*\*\* \*\*\* \*\*\*/);
  });

  it('a one-character password is not scrubbed: the messages stay readable', async () => {
    const c = echoing('e');
    const run = await runCase(c, registry);
    checkCase(c, run);
    const message = run.outputs.errors[0]!.message;
    // Every "e" is still there; only the Basic credential (user:password, base64) is a secret.
    expect(message).toBe(
      'the tag list of ghcr.io/lie/echo-credentials: HTTP 400 (DENIED: denied: Basic *** e ZQ== ZQ e)'
    );
  });

  it('secretForms leaves out values too short to be secrets', () => {
    expect(secretForms('e')).toEqual([]);
    expect(secretForms('12345')).toEqual([]);
    expect(secretForms('ghp_0123456789')).toContain('ghp_0123456789');
  });

  it('the action masks every form of a real password, and no one-character one', async () => {
    const fake = await startFakeGitHub({ owner: 'acme', repo: 'config', files: { 'README.md': 'x\n' } });
    try {
      const masks = async (password: string) => {
        const run = await runBundledAction(
          { token: fake.token, 'api-url': fake.url, 'registry-password': password, 'dry-run': 'true' },
          { GITHUB_REPOSITORY: 'acme/config' }
        );
        return (
          run.log
            .split('\n')
            .filter((l) => l.startsWith('::add-mask::'))
            // Command data as the runner unescapes it.
            .map((l) => l.slice(12).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
        );
      };
      expect(await masks(SECRET)).toEqual(expect.arrayContaining(secretForms(SECRET)));
      expect(await masks('e')).not.toContain('e');
    } finally {
      await fake.stop();
    }
  });
});
