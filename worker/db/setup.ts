import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "./client";
import { awsValidations, channels, identities, ingestKeys, messages, setupProgress, testSends } from "./schema";

export type SetupProgressRow = typeof setupProgress.$inferSelect;
export type AwsValidationRow = typeof awsValidations.$inferSelect;
export type TestSendRow = typeof testSends.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;

// ---- setup progress

export function findSetupProgress(db: Db, orgId: string) {
  return db.select().from(setupProgress).where(eq(setupProgress.orgId, orgId)).get();
}

/** The phase-completion columns, by phase id (views.ts `SETUP_PHASES`). */
export const PHASE_COLUMNS = {
  aws: "awsCompletedAt",
  validation: "validationCompletedAt",
  identities: "identitiesCompletedAt",
  test_send: "testSendCompletedAt",
} as const satisfies Record<string, keyof SetupProgressRow>;
type PhaseColumn = (typeof PHASE_COLUMNS)[keyof typeof PHASE_COLUMNS];

/**
 * Upserts the org's progress row. A completion time already recorded is kept (the first completion
 * counts), so repeating a phase never moves it.
 */
export function upsertSetupProgressQuery(db: Db, orgId: string, set: { currentPhase?: string; complete?: PhaseColumn }, at: number) {
  const completion = set.complete ? { [set.complete]: at } : {};
  return db
    .insert(setupProgress)
    .values({ orgId, currentPhase: set.currentPhase ?? null, ...completion, updatedAt: at })
    .onConflictDoUpdate({
      target: setupProgress.orgId,
      set: {
        ...(set.currentPhase !== undefined ? { currentPhase: set.currentPhase } : {}),
        ...(set.complete ? { [set.complete]: sql`coalesce(${setupProgress[set.complete]}, ${at})` } : {}),
        updatedAt: at,
      },
    });
}

// ---- validation runs

export function insertValidationQuery(db: Db, row: typeof awsValidations.$inferInsert) {
  return db.insert(awsValidations).values(row);
}

export function updateValidationQuery(db: Db, id: string, set: Partial<Omit<AwsValidationRow, "id" | "orgId">>) {
  return db.update(awsValidations).set(set).where(eq(awsValidations.id, id));
}

export function findValidation(db: Db, orgId: string, id: string) {
  return db
    .select()
    .from(awsValidations)
    .where(and(eq(awsValidations.orgId, orgId), eq(awsValidations.id, id)))
    .get();
}

export function findLatestValidation(db: Db, orgId: string) {
  return db.select().from(awsValidations).where(eq(awsValidations.orgId, orgId)).orderBy(desc(awsValidations.createdAt)).limit(1).get();
}

// ---- test sends

export function insertTestSendQuery(db: Db, row: typeof testSends.$inferInsert) {
  return db.insert(testSends).values(row);
}

export function updateTestSendQuery(db: Db, id: string, set: Partial<Omit<TestSendRow, "id" | "orgId">>) {
  return db.update(testSends).set(set).where(eq(testSends.id, id));
}

export function findTestSend(db: Db, orgId: string, id: string) {
  return db
    .select()
    .from(testSends)
    .where(and(eq(testSends.orgId, orgId), eq(testSends.id, id)))
    .get();
}

export function findLatestTestSend(db: Db, orgId: string) {
  return db.select().from(testSends).where(eq(testSends.orgId, orgId)).orderBy(desc(testSends.createdAt)).limit(1).get();
}

/** The `messages` row a test's events built through ingest (one recipient per test). */
export function findTestMessage(db: Db, orgId: string, sesMessageId: string, recipient: string) {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.orgId, orgId), eq(messages.messageId, sesMessageId), eq(messages.recipient, recipient)))
    .get();
}

// ---- identities and channels, as the account sync sees them

export function listOrgIdentities(db: Db, orgId: string) {
  return db
    .select()
    .from(identities)
    .where(and(eq(identities.orgId, orgId), isNull(identities.archivedAt)))
    .orderBy(identities.identity)
    .all();
}

export function listOrgChannels(db: Db, orgId: string) {
  return db.select().from(channels).where(eq(channels.orgId, orgId)).orderBy(channels.configurationSetName).all();
}

export function insertIdentityQuery(db: Db, row: typeof identities.$inferInsert) {
  return db.insert(identities).values(row);
}

export function updateIdentityQuery(db: Db, orgId: string, id: string, set: Partial<Omit<IdentityRow, "id" | "orgId">>) {
  return db
    .update(identities)
    .set(set)
    .where(and(eq(identities.orgId, orgId), eq(identities.id, id)));
}

export function insertChannelQuery(db: Db, row: typeof channels.$inferInsert) {
  return db.insert(channels).values(row);
}

export function updateChannelQuery(db: Db, orgId: string, id: string, set: Partial<Omit<ChannelRow, "id" | "orgId">>) {
  return db
    .update(channels)
    .set(set)
    .where(and(eq(channels.orgId, orgId), eq(channels.id, id)));
}

// ---- the ingest key the CloudFormation template carries

/** The org's active ingest key (not rotated away), newest first, with its sealed value if it has one. */
export function findActiveIngestKey(db: Db, orgId: string) {
  return db
    .select({ id: ingestKeys.id, prefix: ingestKeys.keyPrefix, sealedKey: ingestKeys.sealedKey })
    .from(ingestKeys)
    .where(and(eq(ingestKeys.orgId, orgId), isNull(ingestKeys.expiresAt)))
    .orderBy(desc(ingestKeys.createdAt))
    .limit(1)
    .get();
}
