// The GraphQL fields the action uses, answered from the same repository and PR store as REST:
// `viewer`, `createCommitOnBranch` and `enablePullRequestAutoMerge`. The document is parsed with
// graphql-js (the contract check has already validated it against GitHub's schema), arguments
// are resolved with the request's variables, and each root field answers or fails on its own,
// with GitHub's `errors` beside `data`.
import { Kind, parse, valueFromASTUntyped, type OperationDefinitionNode } from 'graphql';
import { workflowFiles } from './git.js';
import type { Body, Reply } from './http.js';
import type { PullStore } from './pulls.js';
import { WEB_FLOW, type Shared } from './state.js';

const METHODS = new Set(['MERGE', 'SQUASH', 'REBASE']);

class FieldError extends Error {
  constructor(
    readonly type: string,
    message: string
  ) {
    super(message);
  }
}

type Input = Record<string, unknown>;
type Resolver = (args: Input) => Promise<unknown>;

function resolvers(
  shared: Shared,
  store: PullStore
): { query: Record<string, Resolver>; mutation: Record<string, Resolver> } {
  const { git, config } = shared;
  return {
    query: {
      viewer: async () => ({ login: config.identity.login, databaseId: config.identity.id })
    },
    mutation: {
      createCommitOnBranch: async ({ input }) => {
        const { branch, expectedHeadOid, message, fileChanges } = (input ?? {}) as Input;
        const { repositoryNameWithOwner, branchName } = (branch ?? {}) as Input;
        if (String(repositoryNameWithOwner).toLowerCase() !== shared.fullName.toLowerCase()) {
          throw new FieldError(
            'NOT_FOUND',
            `Could not resolve to a Repository with the name '${String(repositoryNameWithOwner)}'.`
          );
        }
        const ref = `refs/heads/${String(branchName)}`;
        const current = await git.ref(ref);
        if (!current) throw new FieldError('NOT_FOUND', `A ref named "${ref}" does not exist.`);
        if (expectedHeadOid !== current) {
          throw new FieldError(
            'STALE_DATA',
            `Expected branch to point to "${String(expectedHeadOid)}" but it did not. Pull and try again.`
          );
        }
        if (config.protectedBranches.includes(String(branchName))) {
          throw new FieldError('UNPROCESSABLE', `Protected branch update failed for ${ref}.`);
        }
        const { additions = [], deletions = [] } = (fileChanges ?? {}) as {
          additions?: { path: string; contents: string }[];
          deletions?: { path: string }[];
        };
        const changes = [
          ...additions.map((a) => ({
            path: a.path,
            mode: '100644',
            type: 'blob' as const,
            content: Buffer.from(a.contents, 'base64')
          })),
          ...deletions.map((d) => ({ path: d.path, delete: true as const }))
        ];
        const parentTree = (await git.resolve(`${current}^{tree}`))!;
        const tree = await git.buildTree(parentTree, changes);
        const touched = await workflowFiles(git, parentTree, tree);
        if (touched.length && !config.workflowsPermission) {
          throw new FieldError(
            'FORBIDDEN',
            `refusing to allow a GitHub App to create or update workflow \`${touched[0]}\` without \`workflows\` permission`
          );
        }
        const { headline, body } = (message ?? {}) as { headline?: string; body?: string };
        const date = shared.clock.now();
        const sha = await git.writeCommit({
          tree,
          parents: [current],
          message: body ? `${headline}\n\n${body}` : String(headline),
          author: { ...config.identity, date },
          committer: { ...WEB_FLOW, date }
        });
        // GitHub signs every commit it makes here, whatever the token.
        shared.signed.add(sha);
        await git.setRef(ref, sha, current);
        await store.headMoved(String(branchName), sha);
        return { commit: { oid: sha, tree: { oid: tree }, url: shared.html(`/commit/${sha}`) } };
      },
      enablePullRequestAutoMerge: async ({ input }) => {
        const { pullRequestId, mergeMethod = 'MERGE' } = (input ?? {}) as Input;
        if (typeof mergeMethod !== 'string' || !METHODS.has(mergeMethod)) {
          throw new FieldError(
            'INVALID',
            `Argument 'mergeMethod' has an invalid value (${JSON.stringify(mergeMethod)}).`
          );
        }
        const pull = typeof pullRequestId === 'string' ? store.byNodeId(pullRequestId) : undefined;
        if (!pull)
          throw new FieldError(
            'NOT_FOUND',
            `Could not resolve to a node with the global id of '${String(pullRequestId)}'`
          );
        if (!config.allowAutoMerge) {
          throw new FieldError('UNPROCESSABLE', 'Pull request Auto merge is not allowed for this repository');
        }
        if (pull.state !== 'open') throw new FieldError('UNPROCESSABLE', 'Pull request is closed');
        if (pull.draft) throw new FieldError('UNPROCESSABLE', 'Pull request is in draft state');
        if (!config.requiredChecks) {
          throw new FieldError('UNPROCESSABLE', 'Pull request Pull request is in clean status');
        }
        pull.autoMerge = { method: mergeMethod.toLowerCase(), by: config.identity.login };
        pull.updatedAt = shared.clock.now();
        return {
          pullRequest: { id: pull.nodeId, number: pull.number, autoMergeRequest: { mergeMethod } }
        };
      }
    }
  };
}

/** Answers one GraphQL request; `mutation` tells whether it was one (for the write log). */
export async function handleGraphql(
  shared: Shared,
  store: PullStore,
  body: Body
): Promise<Reply & { mutation: boolean }> {
  const variables = (typeof body.variables === 'object' && body.variables ? body.variables : {}) as Input;
  const document = parse(String(body.query));
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION &&
      (body.operationName === undefined || d.name?.value === body.operationName)
  );
  if (!operation || operation.operation === 'subscription') {
    return { status: 200, body: { errors: [{ message: 'No operation to run' }] }, mutation: false };
  }
  const mutation = operation.operation === 'mutation';
  const table = resolvers(shared, store)[mutation ? 'mutation' : 'query'];
  const data: Record<string, unknown> = {};
  const errors: { type?: string; path: string[]; message: string }[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const name = selection.name.value;
    const key = selection.alias?.value ?? name;
    const resolve = table[name];
    if (!resolve) {
      data[key] = null;
      errors.push({ path: [key], message: `This fake GitHub does not answer ${name}` });
      continue;
    }
    const args = Object.fromEntries(
      (selection.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)])
    );
    try {
      data[key] = await resolve(args);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      data[key] = null;
      errors.push({ type: err.type, path: [key], message: err.message });
    }
  }
  return { status: 200, body: { data, ...(errors.length && { errors }) }, mutation };
}
