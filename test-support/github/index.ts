// The fake GitHub test harness (design §10): REST + GraphQL on 127.0.0.1 over a real bare git
// repository, with a test-control API and fault injection.
export {
  startFakeGitHub,
  type CommentJson,
  type FakeGitHub,
  type FakeGitHubOptions,
  type LabelJson,
  type LoggedRequest,
  type PullJson
} from './server.js';
export type { FaultKind, FaultMatch, Faults } from './faults.js';
export type { MergeMethod } from './pulls.js';
export { GITHUB_ACTIONS, HUMAN, type Actor } from './state.js';
