// The one GraphQL mutation the action sends: enablePullRequestAutoMerge. The query text is not
// parsed as GraphQL; the input fields are found in it (literals or `$variables`, or `input: $var`).
import type { Body, Reply } from './http.js';
import type { PullStore } from './pulls.js';
import type { Shared } from './state.js';

const FIELD = 'enablePullRequestAutoMerge';
const METHODS = new Set(['MERGE', 'SQUASH', 'REBASE']);

interface GraphqlError {
  type?: string;
  path?: string[];
  message: string;
}

const failure = (errors: GraphqlError[], data: unknown = null): Reply => ({
  status: 200,
  body: { ...(data === null ? {} : { data }), errors }
});

/** The value of `name:` in the mutation's arguments: a string or enum literal, or a variable. */
function inputValue(query: string, variables: Body, name: string): unknown {
  // Only the field's arguments, not the operation's variable declarations (`$mergeMethod: …`).
  const args = new RegExp(`${FIELD}\\s*\\(([^)]*)\\)`).exec(query)?.[1] ?? '';
  const whole = /input\s*:\s*\$(\w+)/.exec(args);
  if (whole) return (variables[whole[1]!] as Body | undefined)?.[name];
  const match = new RegExp(`\\b${name}\\s*:\\s*(?:\\$(\\w+)|"((?:[^"\\\\]|\\\\.)*)"|([A-Z_]+))`).exec(args);
  if (!match) return undefined;
  return match[1] !== undefined ? variables[match[1]] : (match[2] ?? match[3]);
}

export async function handleGraphql(shared: Shared, store: PullStore, body: Body): Promise<Reply> {
  const query = typeof body.query === 'string' ? body.query : '';
  const variables = (typeof body.variables === 'object' && body.variables ? body.variables : {}) as Body;
  if (!/^\s*mutation\b/.test(query) || !query.includes(FIELD)) {
    return failure([{ message: 'This fake GitHub only answers the enablePullRequestAutoMerge mutation' }]);
  }
  const id = inputValue(query, variables, 'pullRequestId');
  const method = inputValue(query, variables, 'mergeMethod') ?? 'MERGE';
  const pull = typeof id === 'string' ? store.byNodeId(id) : undefined;
  const refuse = (type: string, message: string): Reply =>
    failure([{ type, path: [FIELD], message }], { [FIELD]: null });
  if (typeof method !== 'string' || !METHODS.has(method)) {
    return failure([
      {
        message: `Argument 'mergeMethod' on InputObject 'EnablePullRequestAutoMergeInput' has an invalid value (${JSON.stringify(method)}).`
      }
    ]);
  }
  if (!pull) return refuse('NOT_FOUND', `Could not resolve to a node with the global id of '${String(id)}'`);
  if (!shared.config.allowAutoMerge) {
    return refuse('UNPROCESSABLE', 'Pull request Auto merge is not allowed for this repository');
  }
  if (pull.state !== 'open') return refuse('UNPROCESSABLE', 'Pull request is closed');
  if (pull.draft) return refuse('UNPROCESSABLE', 'Pull request is in draft state');
  if (!shared.config.requiredChecks)
    return refuse('UNPROCESSABLE', 'Pull request Pull request is in clean status');
  pull.autoMerge = { method: method.toLowerCase(), by: shared.config.identity.login };
  pull.updatedAt = shared.clock.now();
  return {
    status: 200,
    body: {
      data: {
        [FIELD]: {
          pullRequest: { id: pull.nodeId, number: pull.number, autoMergeRequest: { mergeMethod: method } }
        }
      }
    }
  };
}
