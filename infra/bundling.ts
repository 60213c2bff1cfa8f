/**
 * Modules every function bundle leaves out, shared by the CDK construct and the bench so both
 * measure the same bundle: the AWS SDK (the Node.js 22 runtime provides it) and `source-map`,
 * which Handlebars' compiler loads only if present (inside a try) to emit source maps of compiled
 * templates, which the engine never asks for.
 */
export const BUNDLE_EXTERNALS = ['@aws-sdk/*', 'source-map'];

/**
 * Keep function and class names through minification (esbuild's `keepNames`), so an error logged
 * or reported by a function says `ConditionalCheckFailedError`, not `yt`: the engine and the
 * operators tell errors apart by their class name. Costs a few hundred bytes per bundle.
 */
export const BUNDLE_KEEP_NAMES = true;
