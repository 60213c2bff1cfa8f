import * as z from 'zod';
import { ValidationError } from '../errors.ts';
import { Line } from '../model/common.ts';
import { fieldErrors, parseOrThrow } from '../validation.ts';
import { AutomationFields, type AutomationDefinition } from './model.ts';
import { findPreset, PRESETS, type Preset } from './presets.ts';

/** `POST /automations { "preset": key, "params": {...} }`: a preset installed with its parameters. */
export const PresetInstall = z.strictObject({
  preset: z.string().max(60),
  params: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(false),
  name: Line(200).optional(),
});

/** The names of a preset's parameters. */
export const paramNames = (preset: Preset): string[] => Object.keys((preset.params as unknown as z.ZodObject).shape ?? {});

/**
 * Builds the definition a preset install describes. A preset parameter given at the top level of
 * the body (a common mistake) is refused with "put it under params", not as an unknown field.
 */
export function definitionFromPreset(raw: Record<string, unknown>): AutomationDefinition {
  const preset = typeof raw.preset === 'string' ? findPreset(raw.preset) : undefined;
  if (!preset) {
    throw new ValidationError('Unknown preset', [{ path: 'preset', code: 'unknown_preset', message: `Use one of ${PRESETS.map((p) => p.key).join(', ')}`, params: { allowed: PRESETS.map((p) => p.key) } }]);
  }
  const misplaced = paramNames(preset).filter((name) => name in raw && !(name in PresetInstall.shape));
  if (misplaced.length > 0) {
    throw new ValidationError(
      'Preset parameters belong under params',
      misplaced.map((name) => ({ path: name, code: 'put_under_params', message: `"${name}" is a parameter of the preset "${preset.key}": put it under params`, params: { param: name, preset: preset.key } })),
    );
  }
  const install = parseOrThrow(PresetInstall, raw);
  const parsed = preset.params.safeParse(install.params);
  if (!parsed.success) throw new ValidationError('The preset parameters are invalid', fieldErrors(parsed.error, ['params']));
  const built = { ...preset.build(parsed.data as Record<string, unknown>), enabled: install.enabled, preset: preset.key, ...(install.name ? { name: install.name } : {}) };
  return parseOrThrow(AutomationFields, built, 'The automation');
}
