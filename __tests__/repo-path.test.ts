import { describe, expect, it } from '@jest/globals';
import { joinRepoPath } from '../src/repo/source.js';

describe('joinRepoPath', () => {
  it('joins relative parts and normalises', () => {
    expect(joinRepoPath('apps/web', './values.yaml')).toBe('apps/web/values.yaml');
    expect(joinRepoPath('apps/web', '../common/kustomization.yaml')).toBe('apps/common/kustomization.yaml');
  });
  it('treats a leading slash as the repo root', () => {
    expect(joinRepoPath('apps/web', '/helm/values.yaml')).toBe('helm/values.yaml');
  });
  it('refuses escapes', () => {
    expect(joinRepoPath('apps', '../../etc/passwd')).toBeUndefined();
    expect(joinRepoPath('..')).toBeUndefined();
  });
});
