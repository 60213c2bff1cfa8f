import type { PickListResolver } from '../automations/pick-list-usage.ts';
import { pickListOf } from '../automations/trigger-reference.ts';

/** Which event detail fields take their values from a pick-list: the trigger registry's answer. */
export const defaultPickListResolver: PickListResolver = pickListOf;
