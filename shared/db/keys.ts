/**
 * Key building for CrmTable. Every key starts with the tenant id, so no query can reach another
 * tenant's items, and a cursor can be checked against the tenant that presents it.
 */

export type EntityKind =
  | 'CONTACT'
  | 'USER'
  | 'PROPERTY'
  | 'DEAL'
  | 'ACTIVITY'
  | 'REJECTION'
  | 'TASK'
  | 'INQUIRY'
  | 'AUTOMATION'
  | 'EXECUTION';

export const ENTITY_SK = 'ENTITY';
export const UNIQUE_SK = 'UNIQUE';

const SEP = '#';

/**
 * The form of every id the CRM issues (ULIDs, execution ids and the step ids derived from them), the
 * alphabet and length of the `Id` schema. A string of another form names nothing, in any tenant: it
 * is answered as unknown without a read (and never reaches DynamoDB's key-size limits).
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isPossibleId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

function assertPart(value: string, what: string): string {
  if (value.length === 0) throw new Error(`${what} must not be empty`);
  return value;
}

export function entityKey(tenantId: string, kind: EntityKind, id: string) {
  return { PK: [assertPart(tenantId, 'tenantId'), kind, assertPart(id, 'id')].join(SEP), SK: ENTITY_SK };
}

export function settingsKey(tenantId: string) {
  return { PK: `${assertPart(tenantId, 'tenantId')}${SEP}SETTINGS`, SK: ENTITY_SK };
}

/** Partition of the per-tenant list of one kind (GSI1). */
export function kindListKey(tenantId: string, kind: EntityKind): string {
  return `${assertPart(tenantId, 'tenantId')}${SEP}${kind}`;
}

/** Partition of a parent's children of one kind (GSI2/GSI3), e.g. the deals of a contact. */
export function childListKey(tenantId: string, parent: EntityKind, parentId: string, child: EntityKind): string {
  return [assertPart(tenantId, 'tenantId'), parent, assertPart(parentId, 'parentId'), child].join(SEP);
}

/**
 * A uniqueness item: its existence reserves `value` for one entity. Values are normalised by the
 * caller (e-mail addresses lower-cased and trimmed). `tenantId` null makes the value unique across
 * all tenants (inbound addresses, which must resolve to exactly one tenant).
 */
export function uniqueKey(tenantId: string | null, name: string, value: string) {
  const scope = tenantId === null ? 'GLOBAL' : assertPart(tenantId, 'tenantId');
  return { PK: [scope, 'UNIQUE', name, assertPart(value, name)].join(SEP), SK: UNIQUE_SK };
}

/** Month-day of a birthday (`YYYY-MM-DD` or `--MM-DD`) as the BirthdayIndex partition, `MM-DD`. */
export function birthdayMonthDay(birthday: string): string {
  const match = /^(?:\d{4}|--)-?(\d{2})-(\d{2})$/.exec(birthday);
  if (!match) throw new Error(`Not a birthday: ${birthday}`);
  return `${match[1]}-${match[2]}`;
}

/**
 * How many partitions of the BirthdayIndex hold one day's birthdays. A day of 50 million contacts
 * is about 140,000 birthdays: spread over shards by contact, they are written and read in
 * parallel instead of through one hot partition key. Shard 0 is the plain month-day, so items
 * written before the shards existed stay where the daily run finds them.
 */
export const BIRTHDAY_SHARDS = 8;

/** The BirthdayIndex partition of a month-day's shard: `MM-DD` (shard 0) or `MM-DD#<shard>`. */
export function birthdayShardKey(monthDay: string, shard: number): string {
  return shard === 0 ? monthDay : `${monthDay}${SEP}${shard}`;
}

/** Every partition of a month-day, for the daily run to read side by side. */
export function birthdayPartitions(monthDay: string): string[] {
  return Array.from({ length: BIRTHDAY_SHARDS }, (_, shard) => birthdayShardKey(monthDay, shard));
}

/** The BirthdayIndex partition of a contact: its birthday's month-day, in a shard fixed by tenant and id. */
export function birthdayIndexKey(tenantId: string, contactId: string, birthday: string): string {
  let hash = 0;
  for (const char of `${tenantId}${SEP}${contactId}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return birthdayShardKey(birthdayMonthDay(birthday), hash % BIRTHDAY_SHARDS);
}

/**
 * Attributes that exist for the tables' sake (keys, index keys, the kind marker, the expiry):
 * never part of an entity, an API answer or an event.
 */
export const TABLE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK', 'GSI5PK', 'GSI5SK', 'GSI6PK', 'GSI6SK', 'BDAY', 'BDAYSK', 'TRIGGER', 'TRIGGERSK', 'entity', 'expiresAt',
]);

/** An item as its entity: the table attributes removed. */
export function withoutTableAttributes(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !TABLE_ATTRIBUTES.has(key)));
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
