// The `@reelpost/api/testing` entry: the helpers other packages' tests use to run the API in-process (the client's
// tests do), so they never reach into this folder by path.
export { testDeps } from './deps.js';
export { usePostingWorld } from './posting-world.js';
export { connectedAccount, useEmulator } from './tiktok.js';
