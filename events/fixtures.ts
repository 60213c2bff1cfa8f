import ActivityCreated from './fixtures/v1/ActivityCreated.json' with { type: 'json' };
import ActivityUpdated from './fixtures/v1/ActivityUpdated.json' with { type: 'json' };
import ContactBirthday from './fixtures/v1/ContactBirthday.json' with { type: 'json' };
import ContactCreated from './fixtures/v1/ContactCreated.json' with { type: 'json' };
import ContactUpdated from './fixtures/v1/ContactUpdated.json' with { type: 'json' };
import DealCreated from './fixtures/v1/DealCreated.json' with { type: 'json' };
import DealStageChanged from './fixtures/v1/DealStageChanged.json' with { type: 'json' };
import InquiryReceived from './fixtures/v1/InquiryReceived.json' with { type: 'json' };
import PropertyCreated from './fixtures/v1/PropertyCreated.json' with { type: 'json' };
import PropertyUpdated from './fixtures/v1/PropertyUpdated.json' with { type: 'json' };
import RejectionCreated from './fixtures/v1/RejectionCreated.json' with { type: 'json' };
import type { DetailType } from './registry.ts';

/**
 * The current version's fixture of each detail-type, bundled: the trigger reference takes its
 * examples from them and a dry run without an entity uses them as the sample. The compiler refuses
 * a registry entry without its fixture here.
 */
export const CURRENT_FIXTURES: Record<DetailType, Record<string, unknown>> = {
  ContactCreated,
  ContactUpdated,
  ContactBirthday,
  PropertyCreated,
  PropertyUpdated,
  DealCreated,
  DealStageChanged,
  ActivityCreated,
  ActivityUpdated,
  RejectionCreated,
  InquiryReceived,
};
