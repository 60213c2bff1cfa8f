import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { ADMIN_SOURCE } from './local/admin-site.ts';

/**
 * The admin page built synchronously, for the CDK stack: a synth cannot await, so the asset's
 * local bundling calls this. Same options and the same three files (`index.html`, `app.js`,
 * `app.css`) as `buildAdminSite` in infra/local/admin-site.ts, which `npm start` serves; the infra
 * test checks that both builds write the same bytes.
 */
export function buildAdminSiteSync(outDir: string): { outDir: string; bytes: number } {
  mkdirSync(outDir, { recursive: true });
  const result = esbuild.buildSync({
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
  });
  copyFileSync(join(ADMIN_SOURCE, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(ADMIN_SOURCE, 'src/app.css'), join(outDir, 'app.css'));
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  return { outDir, bytes };
}
