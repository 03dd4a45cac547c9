/**
 * Closing your own account. The product docs (team__account-settings.md) describe closing as deleting the
 * workspaces you own and leaving the rest; this makes that one confirmed step: refused while you own a
 * workspace (ownership must be transferred, or the workspace deleted, first), otherwise it removes the
 * user with their memberships, sign-in methods, sessions and pending email links.
 *
 * The audit log keeps each entry's actor as written (user id, name and email at the time, no foreign key),
 * so past entries stay attributable after the user row is gone; a final "closed" entry is written to each
 * workspace the user was a member of.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { findPasswordCredential, findUserById } from "../db/accounts";
import { memberships, orgs, sessions, users } from "../db/schema";
import { verifyPassword } from "../auth/passwords";
import { AppError, notFound, validationError } from "../lib/errors";
import { MINUTE } from "../lib/time";
import { accountAuditInserts } from "./account-audit";

/** A GitHub/Google-only account confirms by having signed in this recently. */
export const REAUTH_WINDOW_MS = 15 * MINUTE;

export const closeAccountSchema = z.object({
  /** Accounts with a password confirm with it. */
  password: z.string().max(256).optional(),
  /** Everyone types their email address, so the step is never taken by a stray click. */
  confirmEmail: z.string().trim().max(254),
});

export async function closeAccount(db: Db, userId: string, sessionId: string, input: z.infer<typeof closeAccountSchema>, at = Date.now()): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound("User");
  const owned = await db
    .select({ id: orgs.id, name: orgs.name, slug: orgs.slug })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "owner"), eq(orgs.isDemo, false)))
    .all();
  if (owned.length) {
    throw new AppError(
      "OWNER_OF_WORKSPACES",
      409,
      `You are the Owner of ${owned.map((o) => `"${o.name}"`).join(", ")}. Transfer ownership or delete ${owned.length === 1 ? "that workspace" : "those workspaces"} (Settings → Workspace → Danger Zone) before closing your account.`,
      { workspaces: owned },
    );
  }
  if (input.confirmEmail.toLowerCase() !== user.email) {
    throw validationError("confirmEmail: Type your email address to confirm.", { fields: [{ field: "confirmEmail", message: `Type ${user.email} to confirm.` }] });
  }
  const cred = await findPasswordCredential(db, userId);
  if (cred?.passwordHash && cred.passwordSalt && cred.passwordIterations) {
    const ok = await verifyPassword(input.password ?? "", { hash: cred.passwordHash, salt: cred.passwordSalt, iterations: cred.passwordIterations });
    if (!ok) throw validationError("password: The password is incorrect.", { fields: [{ field: "password", message: "The password is incorrect." }] });
  } else {
    const session = await db.select({ createdAt: sessions.createdAt }).from(sessions).where(eq(sessions.id, sessionId)).get();
    if (!session || at - session.createdAt > REAUTH_WINDOW_MS) {
      throw new AppError("REAUTH_REQUIRED", 403, "Sign in again with GitHub or Google, then close your account within 15 minutes.");
    }
  }
  const audit = await accountAuditInserts(db, user, { operation: "closed", summary: `${user.name} (${user.email}) closed their SendOps account and left the workspace` }, at);
  // Memberships, credentials, sessions and email links go with the user (ON DELETE CASCADE); "created by" columns become null.
  await db.batch([db.delete(users).where(eq(users.id, userId)), ...audit]);
}
