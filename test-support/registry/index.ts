// The registry test harness (design §10), for the registry tests, the engine's end-to-end tests
// and the benchmark.
export {
  startRegistry,
  registriesEntry,
  type AuthMode,
  type PushTarget,
  type TestRegistry
} from './server.js';
export {
  startGhcrFront,
  type FrontOptions,
  type FrontRequest,
  type GhcrFront,
  type InjectKind
} from './front.js';
export {
  addTags,
  pushBlob,
  pushImage,
  pushIndex,
  pushManifest,
  sha256,
  MEDIA,
  type ImageOptions,
  type PushedImage
} from './push.js';
export { TokenIssuer, type Credentials } from './token.js';
export { mirrorFixture } from './mirror.js';
export { anonymousClient } from './client.js';
