// Branch names git and GitHub accept, whatever the Application is called.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { branchName, branchPrefixProblem } from '../../src/publish/branch-name.js';
import { parseInputs } from '../../src/inputs.js';
import { Tags, fakePerTest, runWith } from './helpers.js';

/** git's own judgement of a branch name. */
const gitAccepts = (name: string) => {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'pipe' });
    return Buffer.byteLength(name) <= 255;
  } catch {
    return false;
  }
};

describe('branch names', () => {
  it('keeps a valid name as it is', () => {
    expect(branchName('argocd-image-pr/', 'team-a_web')).toBe('argocd-image-pr/team-a_web');
  });

  it.each([
    'web.lock',
    'a..b',
    'x~1^2:3',
    'with space',
    '.hidden',
    'brace@{x}',
    'q?*[z\\',
    'end.',
    'x'.repeat(300),
    'ü'.repeat(200)
  ])('makes %s valid and bounded, with a stable hash', (name) => {
    const branch = branchName('argocd-image-pr/', name);
    expect(gitAccepts(branch)).toBe(true);
    expect(Buffer.byteLength(branch)).toBeLessThanOrEqual(200);
    expect(branch).toMatch(/-[0-9a-f]{8}$/);
    expect(branchName('argocd-image-pr/', name)).toBe(branch);
  });

  it('gives names that sanitise alike different branches', () => {
    expect(branchName('p/', 'a b')).not.toBe(branchName('p/', 'a~b'));
  });

  it('refuses a branch-prefix that cannot start a branch name, naming the input', () => {
    for (const bad of ['has space/', '../up/', 'x.lock/', '/abs/', 'a//b/', '']) {
      expect(branchPrefixProblem(bad)).toBeDefined();
    }
    expect(branchPrefixProblem('argocd-image-pr/')).toBeUndefined();
    expect(branchPrefixProblem('bots/images-')).toBeUndefined();
    expect(() => parseInputs((n) => (n === 'branch-prefix' ? 'bad prefix/' : undefined))).toThrow(
      /^input "branch-prefix" is not a valid start of a git branch name/
    );
  });
});

const start = fakePerTest();

describe('a branch prefix that an existing branch blocks', () => {
  it('is an error naming that branch, before any branch is pushed', async () => {
    const gh = await start();
    await gh.commit('bot', { 'x.txt': 'x\n' }, 'a branch named like the prefix');
    const run = await runWith(gh, new Tags(), { 'branch-prefix': 'bot/' });
    expect(run.pullRequests).toEqual([]);
    expect(run.result.errors).toContainEqual(
      expect.objectContaining({
        app: 'web',
        field: 'branch-prefix',
        message: expect.stringContaining(
          'the branch bot exists, so no branch under branch-prefix bot/ can be created'
        )
      })
    );
    expect(await gh.head('bot/web')).toBeUndefined();
  });
});
