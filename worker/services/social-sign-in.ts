/**
 * Signing in with GitHub or Google, and connecting/disconnecting them on Profile. The provider's answer
 * (a ProviderIdentity) arrives here already proven by the OAuth exchange; these rules decide which
 * SendOps user it is.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { findUserByEmail, findUserById, normaliseEmail } from "../db/accounts";
import { findCredential, listCredentialsOfUser } from "../db/credentials";
import { memberships, userCredentials, users } from "../db/schema";
import { AppError, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { OAUTH_PROVIDERS, PROVIDER_NAMES, type OAuthProviderId, type ProviderIdentity } from "../integrations/oauth-provider";
import { accountAuditInserts } from "./account-audit";
import { ensureDemoWorkspace } from "./demo";

const credentialRow = (userId: string, identity: ProviderIdentity, at: number) => ({
  id: newId("crd", at),
  userId,
  kind: identity.provider,
  subject: identity.subject,
  label: identity.label,
  createdAt: at,
  updatedAt: at,
});

/**
 * The user a provider sign-in belongs to (`created` for a new account):
 * 1. the provider account is connected → its user;
 * 2. else the provider vouches for an email that a SendOps user has → connected to that user, but only when
 *    the user verified that email too (otherwise whoever registered the address first, unverified, would
 *    get the provider account's sign-in — or the provider account would take over theirs);
 * 3. else a new user with the provider's verified email.
 * A provider email that is not verified never signs anyone in or up.
 */
export async function resolveProviderSignIn(db: Db, identity: ProviderIdentity, at = Date.now()): Promise<{ userId: string; created: boolean }> {
  const existing = await findCredential(db, identity.provider, identity.subject);
  if (existing) return { userId: existing.userId, created: false };
  const name = PROVIDER_NAMES[identity.provider];
  if (!identity.email || !identity.emailVerified) {
    throw new AppError(
      "OAUTH_EMAIL_UNVERIFIED",
      403,
      `Your ${name} account has no verified email address. Verify your email with ${name} and try again, or sign up with email and password.`,
      { provider: identity.provider },
    );
  }
  const email = normaliseEmail(identity.email);
  const user = await findUserByEmail(db, email);
  if (user) {
    if (user.emailVerifiedAt === null) {
      throw new AppError(
        "OAUTH_LINK_REFUSED",
        409,
        `A SendOps account with ${email} already exists, but its email is not verified yet. Sign in with your email and password first, then connect ${name} from Profile.`,
        { provider: identity.provider },
      );
    }
    await db.batch([
      db.insert(userCredentials).values(credentialRow(user.id, identity, at)),
      ...(await accountAuditInserts(db, user, { operation: "connected", summary: `Connected ${name} (${identity.label}) by signing in with it` }, at)),
    ]);
    return { userId: user.id, created: false };
  }
  const userId = newId("usr", at);
  const demoId = await ensureDemoWorkspace(db, at);
  await db.batch([
    db.insert(users).values({ id: userId, email, name: identity.name?.trim().slice(0, 200) || email, emailVerifiedAt: at, createdAt: at }),
    db.insert(userCredentials).values(credentialRow(userId, identity, at)),
    // As for a password sign-up: the read-only demo, where the role only decides which pages show.
    db.insert(memberships).values({ orgId: demoId, userId, role: "org_admin", createdAt: at }),
  ]);
  return { userId, created: true };
}

/** Connects a provider account to the signed-in user. */
export async function connectProvider(db: Db, userId: string, identity: ProviderIdentity, at = Date.now()): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound("User");
  const name = PROVIDER_NAMES[identity.provider];
  const existing = await findCredential(db, identity.provider, identity.subject);
  if (existing?.userId === userId) return;
  if (existing) {
    throw new AppError("OAUTH_ALREADY_CONNECTED", 409, `This ${name} account (${identity.label}) is already connected to another SendOps account.`, {
      provider: identity.provider,
    });
  }
  if ((await listCredentialsOfUser(db, userId)).some((c) => c.kind === identity.provider)) {
    throw new AppError("OAUTH_ALREADY_CONNECTED", 409, `Another ${name} account is already connected. Disconnect it first.`, { provider: identity.provider });
  }
  await db.batch([
    db.insert(userCredentials).values(credentialRow(userId, identity, at)),
    ...(await accountAuditInserts(db, user, { operation: "connected", summary: `Connected ${name} (${identity.label})` }, at)),
  ]);
}

/** Disconnects a provider, keeping at least one way to sign in. */
export async function disconnectProvider(db: Db, userId: string, provider: OAuthProviderId, at = Date.now()): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound("User");
  const credentials = await listCredentialsOfUser(db, userId);
  const cred = credentials.find((c) => c.kind === provider);
  const name = PROVIDER_NAMES[provider];
  if (!cred) throw notFound(`${name} connection`);
  if (credentials.length === 1) {
    throw new AppError("LAST_SIGN_IN_METHOD", 409, `${name} is your only way to sign in. Connect another provider before disconnecting it.`, { provider });
  }
  await db.batch([
    db.delete(userCredentials).where(and(eq(userCredentials.id, cred.id), eq(userCredentials.userId, userId))),
    ...(await accountAuditInserts(db, user, { operation: "disconnected", summary: `Disconnected ${name} (${cred.label ?? provider})` }, at)),
  ]);
}

/** Profile's "Connected accounts": each offered provider with its connection, and whether a password exists. */
export async function listConnections(db: Db, userId: string, offered: OAuthProviderId[]) {
  const credentials = await listCredentialsOfUser(db, userId);
  return {
    hasPassword: credentials.some((c) => c.kind === "password"),
    // A provider this deployment stopped offering still shows while connected, so it can be disconnected.
    providers: OAUTH_PROVIDERS.filter((p) => offered.includes(p) || credentials.some((c) => c.kind === p)).map((provider) => {
      const c = credentials.find((x) => x.kind === provider);
      return { provider, name: PROVIDER_NAMES[provider], connected: c ? { label: c.label, connectedAt: c.createdAt } : null };
    }),
  };
}

export type Connections = Awaited<ReturnType<typeof listConnections>>;
