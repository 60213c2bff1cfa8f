import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

/** The admin page's sources (shared/admin-page) and where its built files go (git-ignored). */
export const ADMIN_SOURCE = join(import.meta.dirname, '../../shared/admin-page');
export const ADMIN_DIST = join(ADMIN_SOURCE, 'dist');

/**
 * Builds the admin page to static files: `index.html`, `app.js` (Preact and the page, minified,
 * one ES module) and `app.css`. The same files are served by `npm start` at /admin and deployed by
 * the CDK stack to S3 behind CloudFront (with a `config.json` of the stack's own).
 */
export async function buildAdminSite(outDir = ADMIN_DIST): Promise<{ outDir: string; bytes: number }> {
  mkdirSync(outDir, { recursive: true });
  return finishAdminSite(outDir, await esbuild.build(adminBuildOptions(outDir)));
}

/** The esbuild options of the page, for `buildAdminSite` and the CDK stack's synchronous build. */
export function adminBuildOptions(outDir: string) {
  return {
    entryPoints: [join(ADMIN_SOURCE, 'src/main.tsx')],
    bundle: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: join(outDir, 'app.js'),
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  } satisfies esbuild.BuildOptions & { metafile: true };
}

/** The page's static files beside the bundle, and the bundle's size. */
export function finishAdminSite(outDir: string, result: { metafile: esbuild.Metafile }): { outDir: string; bytes: number } {
  copyFileSync(join(ADMIN_SOURCE, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(ADMIN_SOURCE, 'src/app.css'), join(outDir, 'app.css'));
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  return { outDir, bytes };
}

// `npm run build:admin`
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  buildAdminSite().then(({ outDir, bytes }) => console.log(`admin page built to ${outDir} (${Math.round(bytes / 1024)} KB of JavaScript)`));
}
