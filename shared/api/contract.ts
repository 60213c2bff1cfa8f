import * as z from 'zod';
import { DryRunInput } from '../automations/dry-run.ts';
import { Execution } from '../automations/execution.ts';
import { AutomationFields, AutomationPut } from '../automations/model.ts';
import { PresetInstall } from '../automations/preset-install.ts';
import type { ConflictError } from '../errors.ts';
import { Activity, ActivityInput, AppointmentPatch } from '../model/activity.ts';
import { Contact, ContactInput, ContactPatch } from '../model/contact.ts';
import { Deal, DealPatch } from '../model/deal.ts';
import { Inquiry } from '../model/inquiry.ts';
import { Property, PropertyInput, PropertyPatch } from '../model/property.ts';
import { Rejection, RejectionInput } from '../model/rejection.ts';
import { Task, TaskInput, TaskPatch } from '../model/task.ts';
import { TenantSettings, TenantSettingsPut } from '../model/tenant.ts';
import { User, UserInput, UserPatch } from '../model/user.ts';
import { PickLists } from '../settings/pick-lists.ts';
import { ActivityListQuery } from './activities-api.ts';
import { AutomationExecutionQuery, ExecutionListQuery } from './automations-api.ts';
import { BirthdayRunBody } from './birthday-runs-api.ts';
import { ContactCreateQuery, ContactExecutionQuery, ContactListQuery, ContactUpsert } from './contacts-api.ts';
import { DealBody, DealListQuery } from './deals-api.ts';
import { PageQuery } from './helpers.ts';
import { InquiryListQuery } from './inquiries-api.ts';
import { PropertyListQuery } from './properties-api.ts';
import { RejectionListQuery } from './rejections-api.ts';
import {
  AutomationView,
  BirthdayRunView,
  DryRunView,
  MismatchSchema,
  PresetListView,
  SenderDomainView,
  SettingsView,
  TriggerReferenceView,
  pageOf,
} from './responses.ts';
import type { RouteKey } from './routes.ts';
import { SenderDomainBody } from './sender-domains-api.ts';
import { TaskListQuery } from './tasks-api.ts';
import { UserListQuery } from './users-api.ts';

/**
 * The API's contract as data: for every route of the route table, the zod schemas that validate
 * its query and body (the same objects the route implementations parse with) and the schemas of
 * what it answers. The OpenAPI document (openapi.ts) is generated from this and nothing else; its
 * component names are the keys of REQUEST_SCHEMAS and RESPONSE_SCHEMAS, which the typed client's
 * types are named after, so they are part of the contract too.
 */

/** Request bodies, described as the API accepts them (zod's input: defaults make fields optional). */
export const REQUEST_SCHEMAS = {
  TenantSettingsPut,
  SenderDomainInput: SenderDomainBody,
  UserInput,
  UserPatch,
  ContactCreate: z.union([ContactInput, ContactUpsert]).describe('A new contact; with `?upsert=true` the fields to merge into the contact with this e-mail address (`email` required)'),
  ContactPatch,
  PropertyInput,
  PropertyPatch,
  DealInput: DealBody,
  DealPatch,
  ActivityInput,
  AppointmentPatch,
  RejectionInput,
  TaskInput,
  TaskPatch,
  BirthdayRunInput: BirthdayRunBody,
  AutomationCreate: z.union([AutomationFields, PresetInstall]).describe('An automation definition, or a preset to install with its parameters'),
  AutomationPut,
  DryRunInput,
};

/** Response bodies, described as the API answers them (zod's output). */
export const RESPONSE_SCHEMAS = {
  Settings: SettingsView,
  TenantSettings,
  PickLists,
  SenderDomain: SenderDomainView,
  SenderDomainPage: pageOf(SenderDomainView),
  User,
  UserPage: pageOf(User),
  Contact,
  ContactPage: pageOf(Contact),
  Property,
  PropertyPage: pageOf(Property),
  Deal,
  DealPage: pageOf(Deal),
  Activity,
  ActivityPage: pageOf(Activity),
  Rejection,
  RejectionPage: pageOf(Rejection),
  Task,
  TaskPage: pageOf(Task),
  Inquiry,
  InquiryPage: pageOf(Inquiry),
  BirthdayRun: BirthdayRunView,
  AutomationPresets: PresetListView,
  AutomationTriggers: TriggerReferenceView,
  Automation: AutomationView,
  AutomationPage: pageOf(AutomationView),
  DryRun: DryRunView,
  Mismatch: MismatchSchema,
  Execution,
  ExecutionPage: pageOf(Execution),
};

export type RequestName = keyof typeof REQUEST_SCHEMAS;
export type ResponseName = keyof typeof RESPONSE_SCHEMAS;
export type ConflictCode = ConstructorParameters<typeof ConflictError>[0];
export type SuccessStatus = 200 | 201 | 204;

export interface Operation {
  summary: string;
  description?: string;
  /** The query parameters, a strict object of optional strings (lists: `limit`, `cursor`, filters). */
  query?: z.ZodObject;
  body?: RequestName;
  /** A body the route also takes absent (`POST /automations/{id}/test`). */
  bodyOptional?: true;
  /** What a success answers; `null`: no body (204). */
  responses: Partial<Record<SuccessStatus, ResponseName | null>>;
  /** The 409 codes the route can answer. */
  conflicts?: ConflictCode[];
}

const stale: ConflictCode[] = ['version_conflict'];
const unique: ConflictCode[] = ['duplicate'];
const patched: ConflictCode[] = ['version_conflict', 'duplicate'];

export const OPERATIONS: Record<RouteKey, Operation> = {
  'GET /settings': { summary: 'The agency settings (the defaults at version 0 before the first save)', responses: { 200: 'Settings' } },
  'PUT /settings': {
    summary: 'Replace the agency settings',
    description: 'The pick-lists it does not name stay; `version` is required once settings exist. Removing a pick-list value an enabled automation uses is a 409 `pick_list_value_in_use`.',
    body: 'TenantSettingsPut',
    responses: { 200: 'TenantSettings' },
    conflicts: ['version_conflict', 'duplicate', 'pick_list_value_in_use'],
  },
  'GET /pick-lists': { summary: "The tenant's pick-lists (deal stages, activity categories, Absage reasons, statuses)", responses: { 200: 'PickLists' } },
  'POST /sender-domains': { summary: 'Register a sender domain (200 when the tenant already has it)', body: 'SenderDomainInput', responses: { 201: 'SenderDomain', 200: 'SenderDomain' }, conflicts: unique },
  'GET /sender-domains': { summary: "The tenant's sender domains as stored", query: PageQuery, responses: { 200: 'SenderDomainPage' } },
  'GET /sender-domains/{domain}': { summary: 'A sender domain, its status refreshed from SES', responses: { 200: 'SenderDomain' } },
  'POST /users': { summary: 'Create a user (agent)', body: 'UserInput', responses: { 201: 'User' }, conflicts: unique },
  'GET /users': { summary: 'List users', query: UserListQuery, responses: { 200: 'UserPage' } },
  'GET /users/{id}': { summary: 'A user', responses: { 200: 'User' } },
  'PATCH /users/{id}': { summary: 'Change a user', body: 'UserPatch', responses: { 200: 'User' }, conflicts: patched },
  'POST /contacts': { summary: 'Create a contact, or upsert by e-mail with `?upsert=true` (200 when it existed)', query: ContactCreateQuery, body: 'ContactCreate', responses: { 201: 'Contact', 200: 'Contact' }, conflicts: unique },
  'GET /contacts': { summary: 'List contacts', query: ContactListQuery, responses: { 200: 'ContactPage' } },
  'GET /contacts/{id}': { summary: 'A contact', responses: { 200: 'Contact' } },
  'PATCH /contacts/{id}': { summary: 'Change a contact', body: 'ContactPatch', responses: { 200: 'Contact' }, conflicts: patched },
  'DELETE /contacts/{id}': { summary: 'Archive a contact (contacts are never deleted)', responses: { 200: 'Contact' } },
  'GET /contacts/{id}/executions': { summary: 'The automation runs that acted on a contact', query: ContactExecutionQuery, responses: { 200: 'ExecutionPage' } },
  'POST /properties': { summary: 'Create a property (Objekt)', body: 'PropertyInput', responses: { 201: 'Property' }, conflicts: unique },
  'GET /properties': { summary: 'List properties', query: PropertyListQuery, responses: { 200: 'PropertyPage' } },
  'GET /properties/{id}': { summary: 'A property', responses: { 200: 'Property' } },
  'PATCH /properties/{id}': { summary: 'Change a property', body: 'PropertyPatch', responses: { 200: 'Property' }, conflicts: patched },
  'POST /deals': { summary: 'Create a deal (one per contact and property)', body: 'DealInput', responses: { 201: 'Deal' }, conflicts: unique },
  'GET /deals': { summary: 'List deals', query: DealListQuery, responses: { 200: 'DealPage' } },
  'GET /deals/{id}': { summary: 'A deal', responses: { 200: 'Deal' } },
  'PATCH /deals/{id}': { summary: 'Change a deal (a stage change raises DealStageChanged)', body: 'DealPatch', responses: { 200: 'Deal' }, conflicts: stale },
  'POST /activities': { summary: 'Record an activity (appointment, note, call, e-mail, letter)', body: 'ActivityInput', responses: { 201: 'Activity' } },
  'GET /activities': { summary: 'List activities', query: ActivityListQuery, responses: { 200: 'ActivityPage' } },
  'GET /activities/{id}': { summary: 'An activity', responses: { 200: 'Activity' } },
  'PATCH /activities/{id}': { summary: 'Move or cancel an appointment (anything else is 409 `not_changeable`)', body: 'AppointmentPatch', responses: { 200: 'Activity' }, conflicts: ['version_conflict', 'not_changeable'] },
  'POST /rejections': { summary: 'Record an Absage (a deal named moves to "Abgesagt")', body: 'RejectionInput', responses: { 201: 'Rejection' } },
  'GET /rejections': { summary: 'List Absagen', query: RejectionListQuery, responses: { 200: 'RejectionPage' } },
  'GET /rejections/{id}': { summary: 'An Absage', responses: { 200: 'Rejection' } },
  'POST /tasks': { summary: 'Create a task', body: 'TaskInput', responses: { 201: 'Task' } },
  'GET /tasks': { summary: 'List tasks', query: TaskListQuery, responses: { 200: 'TaskPage' } },
  'GET /tasks/{id}': { summary: 'A task', responses: { 200: 'Task' } },
  'PATCH /tasks/{id}': { summary: 'Change a task (`{ "done": true }` marks it done)', body: 'TaskPatch', responses: { 200: 'Task' }, conflicts: stale },
  'GET /inquiries': { summary: 'List inquiry e-mails', query: InquiryListQuery, responses: { 200: 'InquiryPage' } },
  'GET /inquiries/{id}': { summary: 'An inquiry e-mail', responses: { 200: 'Inquiry' } },
  'POST /birthday-runs': { summary: "Run the birthday check for a past date or today (the tenant's contacts only)", body: 'BirthdayRunInput', responses: { 200: 'BirthdayRun' } },
  'GET /automation-presets': { summary: 'The presets an admin can install', responses: { 200: 'AutomationPresets' } },
  'GET /automation-triggers': { summary: 'The trigger reference with the tenant\'s values', responses: { 200: 'AutomationTriggers' } },
  'POST /automations': { summary: 'Create an automation, or install a preset', body: 'AutomationCreate', responses: { 201: 'Automation' } },
  'GET /automations': { summary: 'List automations', query: PageQuery, responses: { 200: 'AutomationPage' } },
  'GET /automations/{id}': { summary: 'An automation with its warnings', responses: { 200: 'Automation' } },
  'PUT /automations/{id}': { summary: 'Replace an automation (accepts the body GET returned)', body: 'AutomationPut', responses: { 200: 'Automation' }, conflicts: stale },
  'DELETE /automations/{id}': { summary: 'Delete an automation (its waiting runs end)', responses: { 204: null } },
  'POST /automations/{id}/enable': { summary: 'Switch an automation on (its definition is checked again)', responses: { 200: 'Automation' } },
  'POST /automations/{id}/disable': { summary: 'Switch an automation off (its waiting runs end)', responses: { 200: 'Automation' } },
  'POST /automations/{id}/test': { summary: 'Dry-run an automation against an event, an entity or its fixture', body: 'DryRunInput', bodyOptional: true, responses: { 200: 'DryRun' } },
  'GET /automations/{id}/executions': { summary: "An automation's runs", query: AutomationExecutionQuery, responses: { 200: 'ExecutionPage' } },
  'GET /executions': { summary: "The tenant's runs", query: ExecutionListQuery, responses: { 200: 'ExecutionPage' } },
  'GET /executions/{id}': { summary: 'A run with its steps', responses: { 200: 'Execution' } },
  'POST /executions/{id}/cancel': { summary: 'Cancel a waiting run', responses: { 200: 'Execution' }, conflicts: ['not_waiting'] },
  'POST /executions/{id}/resume': { summary: 'Resume a waiting run now', responses: { 200: 'Execution' }, conflicts: ['not_waiting'] },
};
