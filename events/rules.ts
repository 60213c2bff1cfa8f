import { SOURCES } from './catalogue.ts';

/**
 * The bus rules: one per event family, each routing to that family's runner. Plain event patterns,
 * read by the CDK stack (one EventBridge rule each) and by the local bus (the same matcher as the
 * engine). Property events are published for consumers outside the engine and have no runner.
 */
export const RULES = {
  contacts: { source: [SOURCES.contacts] },
  deals: { source: [SOURCES.deals] },
  activities: { source: [SOURCES.activities] },
  rejections: { source: [SOURCES.rejections] },
  inquiries: { source: [SOURCES.inquiries] },
} as const;

export type Family = keyof typeof RULES;
export const FAMILIES = Object.keys(RULES) as Family[];

/** The physical name of the bus, in AWS and locally. */
export const BUS_NAME_ENV = 'EVENT_BUS_NAME';
export const DEFAULT_BUS_NAME = 'crm';
