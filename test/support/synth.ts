import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '#infra/build-app';

/** What every test synth passes: no bundling, and the region, which the app requires explicitly. */
export const SYNTH_CONTEXT = { 'aws:cdk:bundling-stacks': [], region: 'eu-central-1' };

/**
 * Synthesises the real app (cdk-nag plugin included) without bundling, which the assertions do
 * not need; `cdk synth` bundles. Returns the template, or the validation error cdk-nag raised.
 */
export function synthStack(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-'));
  const { app, stack } = buildApp({ outdir, context: { ...SYNTH_CONTEXT, ...context } });
  let validationError: unknown;
  try {
    app.synth();
  } catch (error) {
    validationError = error;
  }
  return { app, stack, outdir, validationError, template: () => Template.fromStack(stack) };
}
