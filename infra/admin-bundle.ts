import { mkdirSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { adminBuildOptions, finishAdminSite } from './local/admin-site.ts';

/**
 * The admin page built synchronously, for the CDK stack: a synth cannot await, so the asset's
 * local bundling calls this. The same options and files as `buildAdminSite` (infra/local/
 * admin-site.ts), which `npm start` serves; the infra test checks that both write the same bytes.
 */
export function buildAdminSiteSync(outDir: string): { outDir: string; bytes: number } {
  mkdirSync(outDir, { recursive: true });
  return finishAdminSite(outDir, esbuild.buildSync(adminBuildOptions(outDir)));
}
