import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { awsValidations, setupProgress, testSends } from "./schema";

export type SetupProgressRow = typeof setupProgress.$inferSelect;
export type AwsValidationRow = typeof awsValidations.$inferSelect;
export type TestSendRow = typeof testSends.$inferSelect;

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

export function updateValidationQuery(db: Db, orgId: string, id: string, set: Partial<Omit<AwsValidationRow, "id" | "orgId">>) {
  return db
    .update(awsValidations)
    .set(set)
    .where(and(eq(awsValidations.orgId, orgId), eq(awsValidations.id, id)));
}

export function findLatestValidation(db: Db, orgId: string) {
  return db.select().from(awsValidations).where(eq(awsValidations.orgId, orgId)).orderBy(desc(awsValidations.createdAt)).limit(1).get();
}

// ---- test sends

export function insertTestSendQuery(db: Db, row: typeof testSends.$inferInsert) {
  return db.insert(testSends).values(row);
}

export function updateTestSendQuery(db: Db, orgId: string, id: string, set: Partial<Omit<TestSendRow, "id" | "orgId">>) {
  return db
    .update(testSends)
    .set(set)
    .where(and(eq(testSends.orgId, orgId), eq(testSends.id, id)));
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
