// The fake's contract is GitHub's own API description (test-support/github/contract.ts): every
// suite that talks to the fake is checked against it; here, that it refuses what GitHub would.
import { describe, expect, it } from '@jest/globals';
import { graphqlViolation, restViolation } from '../../test-support/github/contract.js';

const url = (path: string) => new URL(`http://127.0.0.1${path}`);
const PULLS = '/repos/acme/config/pulls';

describe("GitHub's REST description as the contract", () => {
  it('accepts the requests the action sends', () => {
    expect(
      restViolation('GET', url(`${PULLS}?state=open&base=main&per_page=100&page=2`), undefined)
    ).toBeUndefined();
    expect(
      restViolation('POST', url(PULLS), { title: 't', head: 'b', base: 'main', body: 'x', draft: false })
    ).toBeUndefined();
    expect(
      restViolation('GET', url('/repos/acme/config/git/ref/heads%2Fargocd-image-pr%2Fweb'), undefined)
    ).toBeUndefined();
    expect(
      restViolation('DELETE', url('/repos/acme/config/issues/3/labels/argocd-image-pr%3Arecreate'), undefined)
    ).toBeUndefined();
  });

  it('refuses what GitHub would refuse', () => {
    expect(restViolation('GET', url(`${PULLS}?colour=red`), undefined)).toMatch(/query parameter "colour"/);
    expect(restViolation('POST', url(PULLS), { title: 't', head: 'b', base: 'main', labels: ['x'] })).toMatch(
      /body property "labels"/
    );
    expect(restViolation('POST', url(PULLS), { title: 't', base: 'main' })).toMatch(
      /required body properties missing: head/
    );
    expect(restViolation('PUT', url(PULLS), undefined)).toMatch(/has no PUT/);
    expect(restViolation('GET', url('/repos/acme/config/nothing-here'), undefined)).toMatch(/no such path/);
    // The user-owned package versions endpoint documents no paging (ghcr.ts does not send it).
    expect(
      restViolation('GET', url('/users/acme/packages/container/app/versions?per_page=100'), undefined)
    ).toMatch(/query parameter "per_page"/);
  });
});

describe("GitHub's GraphQL schema as the contract", () => {
  it('accepts the auto-merge mutation and refuses an unknown field', async () => {
    const mutation = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
      enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
        pullRequest { number }
      }
    }`;
    const variables = { pullRequestId: 'PR_kwDO', mergeMethod: 'SQUASH' };
    expect(await graphqlViolation(mutation, variables)).toBeUndefined();
    expect(await graphqlViolation(mutation, { ...variables, mergeMethod: 'FAST' })).toMatch(
      /variables refused/
    );
    expect(await graphqlViolation(mutation.replace('number', 'numbr'))).toMatch(/Cannot query field "numbr"/);
    expect(await graphqlViolation('mutation {')).toMatch(/does not parse/);
    // Variable values are checked too: createCommitOnBranch's input as the action sends it, and mistyped.
    const commit = `mutation($input: CreateCommitOnBranchInput!) {
      createCommitOnBranch(input: $input) { commit { oid tree { oid } } }
    }`;
    const input = {
      branch: { repositoryNameWithOwner: 'acme/cluster-config', branchName: 'argocd-image-pr/web' },
      expectedHeadOid: 'a'.repeat(40),
      message: { headline: 'one', body: 'two' },
      fileChanges: { additions: [{ path: 'a.yaml', contents: 'YQ==' }] }
    };
    expect(await graphqlViolation(commit, { input })).toBeUndefined();
    expect(await graphqlViolation(commit, { input: { ...input, message: { title: 'one' } } })).toMatch(
      /variables refused .*headline/
    );
    expect(
      await graphqlViolation(commit, {
        input: { ...input, fileChanges: { additions: [{ path: 'a', content: 'x' }] } }
      })
    ).toMatch(/variables refused .*contents/);
  });
});
