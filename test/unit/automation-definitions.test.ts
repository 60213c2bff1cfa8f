import { describe, expect, it } from 'vitest';
import { AutomationFields } from '#shared/automations/model';
import { PRESETS } from '#shared/automations/presets';
import { validateDefinition } from '#shared/automations/validate';
import { ValidationError } from '#shared/errors';
import { DEFAULT_PICK_LISTS } from '#shared/settings/pick-lists';
import { matches } from '#shared/engine/engine';
import { flattenEvent } from '#shared/patterns/match';

const fieldsOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields.map((f) => f.path);
    throw error;
  }
  return [];
};

describe('automation definitions', () => {
  it('builds ten presets that each pass validation with their default parameters', () => {
    expect(PRESETS).toHaveLength(10);
    for (const preset of PRESETS) {
      const definition = AutomationFields.parse(preset.build(preset.params.parse({}) as Record<string, unknown>));
      expect(() => validateDefinition(definition, DEFAULT_PICK_LISTS), preset.key).not.toThrow();
    }
  });

  it('refuses actions the trigger cannot serve', () => {
    const definition = AutomationFields.parse({
      name: 'Falsch',
      trigger: { event: 'ContactBirthday' },
      actions: [
        { type: 'move_deal', stage: 'Reserviert' },
        { type: 'create_contact' },
        { type: 'send_email', to: 'property_contact_person', subject: 'x', body: 'y', attachIcs: true },
        { type: 'send_email', to: { address: 'a@b.de' }, purpose: 'marketing', subject: 'x', body: 'y' },
      ],
    });
    expect(fieldsOf(() => validateDefinition(definition, DEFAULT_PICK_LISTS)).sort()).toEqual(['actions.0.type', 'actions.1.type', 'actions.2.attachIcs', 'actions.2.to', 'actions.3.purpose']);
  });

  it('refuses unknown trigger events and malformed actions in the schema', () => {
    expect(AutomationFields.safeParse({ name: 'x', trigger: { event: 'PropertyDeleted' }, actions: [{ type: 'update_property', set: { archived: true } }] }).success).toBe(false);
    expect(AutomationFields.safeParse({ name: 'x', trigger: { event: 'ContactCreated' }, actions: [] }).success).toBe(false);
    expect(AutomationFields.safeParse({ name: 'x', trigger: { event: 'ContactCreated' }, actions: [{ type: 'update_contact', set: {} }] }).success).toBe(false);
  });

  it('matches an automation by its pattern, and any event of its type without one', () => {
    const base = { id: 'a', tenantId: 't', version: 1 } as const;
    const withPattern = { ...base, trigger: { event: 'DealStageChanged', where: { toStage: ['Reserviert'] } } } as never;
    const without = { ...base, id: 'b', trigger: { event: 'DealStageChanged' } } as never;
    expect(matches(withPattern, flattenEvent({ toStage: 'Reserviert' }))).toBe(true);
    expect(matches(withPattern, flattenEvent({ toStage: 'Abgesagt' }))).toBe(false);
    expect(matches(without, flattenEvent({ toStage: 'Abgesagt' }))).toBe(true);
  });
});
