import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthStack } from '../support/synth.ts';

/**
 * cfn-lint (installed with the machine's Python) on the synthesized template: no errors, and
 * every warning it still gives acknowledged here with the reason it stays.
 */
const ACKNOWLEDGED: Record<string, string> = {
  W3005:
    'CDK makes each function depend on its role and on the role\'s default policy, so the policy exists before the function can be invoked; the DependsOn on the role is redundant with the GetAtt but harmless.',
};

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const available = cfnLint.status === 0;
if (!available) console.warn('cfn-lint is not installed (pip install cfn-lint): the template lint is skipped');

describe('the synthesized template under cfn-lint', () => {
  it.skipIf(!available)('has no errors, and only acknowledged warnings', () => {
    const { template } = synthStack();
    const file = join(mkdtempSync(join(tmpdir(), 'cfn-lint-')), 'template.json');
    writeFileSync(file, JSON.stringify(template().toJSON()));
    const run = spawnSync('cfn-lint', ['--format', 'json', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const findings = JSON.parse(run.stdout || '[]') as Array<{ Level: string; Rule: { Id: string }; Message: string }>;
    const errors = findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id}: ${f.Message}`);
    expect(errors).toEqual([]);
    const unacknowledged = findings.filter((f) => f.Level !== 'Error' && !ACKNOWLEDGED[f.Rule.Id]).map((f) => `${f.Rule.Id}: ${f.Message}`);
    expect(unacknowledged).toEqual([]);
  }, 120_000);
});
