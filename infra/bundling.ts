import { readFileSync } from 'node:fs';

/**
 * Modules every function bundle leaves out, shared by the CDK construct and the bench so both
 * measure the same bundle: the AWS SDK (the Node.js 22 runtime provides it), Powertools (its Lambda
 * layer provides it, X-Ray SDK included: `POWERTOOLS_VERSION`), and `source-map`, which Handlebars'
 * compiler loads only if present (inside a try) to emit source maps of compiled templates, which
 * the engine never asks for.
 */
export const BUNDLE_EXTERNALS = ['@aws-sdk/*', '@aws-lambda-powertools/*', 'source-map'];

/** What the runtime or a layer provides, not the bundle: the bench times loading these apart. */
export const PROVIDED_MODULES = ['@aws-sdk/', '@aws-lambda-powertools/'];

/**
 * The Powertools version of package-lock.json: every function gets the Powertools layer of exactly
 * this version, so what runs in AWS is what the tests ran. Logger, Metrics and Tracer are pinned to
 * it in package.json.
 */
export const POWERTOOLS_VERSION: string = (() => {
  const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, { version?: string }> };
  const versions = new Set(['logger', 'metrics', 'tracer'].map((name) => lock.packages[`node_modules/@aws-lambda-powertools/${name}`]?.version));
  const [version] = versions;
  if (versions.size !== 1 || !version) throw new Error(`Powertools Logger, Metrics and Tracer must have one version in package-lock.json (found ${[...versions].join(', ')})`);
  return version;
})();

/**
 * Keep function and class names through minification (esbuild's `keepNames`), so an error logged
 * or reported by a function says `ConditionalCheckFailedError`, not `yt`: the engine and the
 * operators tell errors apart by their class name. Costs a few hundred bytes per bundle.
 */
export const BUNDLE_KEEP_NAMES = true;
