import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_EXTERNALS } from '#infra/bundling';

const ROOT = join(import.meta.dirname, '../..');

describe('function bundles', () => {
  it('render templates without the modules left out of every bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-bundle-'));
    const contents = "import { renderLine } from '#shared/automations/templates';\nconsole.log(renderLine('{{greeting contact}}: {{money property.price}}', { contact: { salutation: 'ms', lastName: 'Musterfrau' }, property: { price: 489000 } } as never));\n";
    await esbuild.build({
      stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'bundle-check.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      external: BUNDLE_EXTERNALS,
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      outfile: join(dir, 'check.mjs'),
      logLevel: 'silent',
    });
    // Run from a folder without node_modules, as in Lambda: `source-map` cannot be found there.
    const run = spawnSync(process.execPath, [join(dir, 'check.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('Sehr geehrte Frau Musterfrau: 489.000 €');
  });
});
