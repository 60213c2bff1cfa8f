import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '#infra/build-app';

/**
 * Synthesises the real app (cdk-nag plugin included) without bundling, which the assertions do
 * not need; `cdk synth` bundles. Returns the template, or the validation error cdk-nag raised.
 */
export function synthStack() {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-'));
  const { app, stack } = buildApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  let validationError: unknown;
  try {
    app.synth();
  } catch (error) {
    validationError = error;
  }
  return { app, stack, outdir, validationError, template: () => Template.fromStack(stack) };
}
