import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { userCredentials } from "./schema";

export type CredentialKind = (typeof userCredentials.$inferSelect)["kind"];

export function findCredential(db: Db, kind: CredentialKind, subject: string) {
  return db.select().from(userCredentials).where(and(eq(userCredentials.kind, kind), eq(userCredentials.subject, subject))).get();
}

/** A user's sign-in methods, oldest first. */
export function listCredentialsOfUser(db: Db, userId: string) {
  return db
    .select({ id: userCredentials.id, kind: userCredentials.kind, label: userCredentials.label, createdAt: userCredentials.createdAt })
    .from(userCredentials)
    .where(eq(userCredentials.userId, userId))
    .orderBy(userCredentials.createdAt)
    .all();
}
