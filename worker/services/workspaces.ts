import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { OrgContext, SessionUser } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { auditLog, auditPruneCutoffs, memberships, orgs, orgSlugRedirects, sessions } from "../db/schema";
import {
  findLiveRedirect,
  findMemberOrgBySlug,
  findOrgById,
  findOrgBySlug,
  insertOrgWithinOwnerLimit,
  isOwnerLimitViolation,
  isUniqueViolation,
  takenSlugsLike,
} from "../db/workspaces";
import { permissionsOf } from "../auth/permissions";
import { SESSION_TIMEOUTS_SECONDS } from "../auth/sessions";
import { AppError, conflict, notFound, validationError } from "../lib/errors";
import { newId } from "../lib/ids";
import { DAY } from "../lib/time";
import { DEMO_SLUG } from "./demo";
import { destroyWorkspaceShards } from "./event-shards";
import type { Env } from "../env";
import { defaultWorkspaceName, WORKSPACE_NAME_MAX } from "./workspace-names";

export const SLUG_REDIRECT_DAYS = 30;
/** Workspaces one user may own (the demo aside) when creating them themselves; the operator CLI is not limited. */
export const MAX_OWNED_WORKSPACES = 10;
/** Slugs no workspace may take: the demo's. */
const RESERVED_SLUGS = new Set([DEMO_SLUG]);

const nameSchema = z
  .string()
  .trim()
  .min(1, "Enter a workspace name.")
  .max(WORKSPACE_NAME_MAX, `Workspace name is at most ${WORKSPACE_NAME_MAX} characters.`);

export const createWorkspaceSchema = z.object({ name: nameSchema.optional() });

export const settingsSchema = z
  .object({
    name: nameSchema,
    slug: z.string().regex(/^[a-z0-9-]{3,48}$/, "Slug must be 3–48 characters: lowercase letters, digits and hyphens."),
    sessionTimeoutSeconds: z.literal(SESSION_TIMEOUTS_SECONDS, {
      message: "Session timeout must be 1 hour, 4 hours, 8 hours, 24 hours, 7 days or 30 days.",
    }),
  })
  .partial();

export const deleteWorkspaceSchema = z.object({ confirmName: z.string().max(200) });

const TIMEOUT_LABELS: Record<(typeof SESSION_TIMEOUTS_SECONDS)[number], string> = {
  3600: "1 hour",
  14400: "4 hours",
  28800: "8 hours",
  86400: "24 hours",
  604800: "7 days",
  2592000: "30 days",
};
const timeoutLabel = (s: number) => TIMEOUT_LABELS[s as keyof typeof TIMEOUT_LABELS] ?? `${s} seconds`;

/** A slug candidate from a name, short enough to take a "-N" suffix and never reserved. */
export function slugBase(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f'’]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  if (s.length >= 3 && !RESERVED_SLUGS.has(s)) return s;
  return s ? `${s}-workspace` : "workspace";
}

async function freeSlug(db: Db, base: string, at: number): Promise<string> {
  const taken = await takenSlugsLike(db, base, at);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

type OrgRow = NonNullable<Awaited<ReturnType<typeof findOrgById>>>;

/** The logo's URL changes with every upload (its R2 key is unique), so browsers may cache it for good. */
export const logoVersion = (logoKey: string) => logoKey.slice(logoKey.lastIndexOf("/") + 1);

function settingsView(o: OrgRow) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    plan: o.plan,
    isDemo: o.isDemo,
    sessionTimeoutSeconds: o.sessionTimeoutSeconds,
    logoUrl: o.logoKey ? `/api/orgs/${o.id}/logo?v=${logoVersion(o.logoKey)}` : null,
  };
}
export type WorkspaceSettings = ReturnType<typeof settingsView>;

const workspaceLimitReached = () =>
  new AppError(
    "WORKSPACE_LIMIT_REACHED",
    409,
    `You already own ${MAX_OWNED_WORKSPACES} workspaces, the most one user can own. Delete one you no longer need to create another.`,
    { limit: MAX_OWNED_WORKSPACES },
  );

/** Creates the caller's own workspace with the caller as its Owner, up to MAX_OWNED_WORKSPACES. */
export async function createWorkspace(db: Db, user: SessionUser, input: z.infer<typeof createWorkspaceSchema>, at = Date.now()) {
  const name = input.name ?? defaultWorkspaceName(user.name);
  const base = slugBase(name);
  // A concurrent creation may take the same free slug; the unique index catches it and we pick again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const slug = await freeSlug(db, base, at);
    const id = newId("org", at);
    try {
      await db.batch([
        insertOrgWithinOwnerLimit(db, { id, name, slug, at }, user.id, MAX_OWNED_WORKSPACES),
        db.insert(memberships).values({ orgId: id, userId: user.id, role: "owner", createdAt: at }),
        auditInsert(db, {
          orgId: id,
          actor: { userId: user.id, name: user.name, email: user.email },
          resourceType: "workspace",
          resourceId: id,
          operation: "created",
          summary: `Created the workspace "${name}"`,
          after: { name, slug, plan: "free" },
          at,
        }),
      ]);
      return { id, name, slug, isDemo: false, plan: "free" as const, role: "owner" as const, permissions: permissionsOf("owner") };
    } catch (err) {
      if (isOwnerLimitViolation(err)) throw workspaceLimitReached();
      if (!isUniqueViolation(err, "orgs.slug")) throw err;
    }
  }
  throw conflict("Could not find a free URL slug for this workspace. Try another name.", { field: "name" });
}

/** Resolves a workspace slug (current, or an old one within its redirect window) among the user's workspaces. */
export async function resolveSlug(db: Db, userId: string, slug: string, at = Date.now()) {
  const hit = await findMemberOrgBySlug(db, userId, slug, at);
  if (!hit) throw notFound("Workspace");
  return hit;
}

export async function getSettings(db: Db, orgId: string): Promise<WorkspaceSettings> {
  const row = await findOrgById(db, orgId);
  if (!row) throw notFound("Workspace");
  return settingsView(row);
}

const slugTaken = () =>
  conflict("slug: This URL slug is already taken.", { field: "slug", fields: [{ field: "slug", message: "This URL slug is already taken." }] });

/** Name, slug (the old one keeps redirecting for 30 days) and session timeout; audited with before/after. */
export async function updateSettings(db: Db, org: OrgContext, input: z.infer<typeof settingsSchema>, at = Date.now()) {
  const current = await findOrgById(db, org.orgId);
  if (!current) throw notFound("Workspace");
  const before: Partial<Pick<OrgRow, "name" | "slug" | "sessionTimeoutSeconds">> = {};
  const after: typeof before = {};
  const summary: string[] = [];
  if (input.name !== undefined && input.name !== current.name) {
    before.name = current.name;
    after.name = input.name;
    summary.push(`renamed the workspace from "${current.name}" to "${input.name}"`);
  }
  if (input.slug !== undefined && input.slug !== current.slug) {
    before.slug = current.slug;
    after.slug = input.slug;
    summary.push(`changed the URL slug from "${current.slug}" to "${input.slug}"`);
  }
  if (input.sessionTimeoutSeconds !== undefined && input.sessionTimeoutSeconds !== current.sessionTimeoutSeconds) {
    before.sessionTimeoutSeconds = current.sessionTimeoutSeconds;
    after.sessionTimeoutSeconds = input.sessionTimeoutSeconds;
    summary.push(
      `changed the session timeout from ${timeoutLabel(current.sessionTimeoutSeconds)} to ${timeoutLabel(input.sessionTimeoutSeconds)}`,
    );
  }
  if (!summary.length) return settingsView(current);

  const slugQueries = [];
  const newSlug = after.slug;
  if (newSlug !== undefined) {
    if (RESERVED_SLUGS.has(newSlug) || (await findOrgBySlug(db, newSlug))) throw slugTaken();
    const redirect = await findLiveRedirect(db, newSlug, at);
    if (redirect && redirect.orgId !== org.orgId) throw slugTaken();
    const expiresAt = at + SLUG_REDIRECT_DAYS * DAY;
    slugQueries.push(
      // Taking back one's own old slug (or an expired one) ends that redirect.
      db.delete(orgSlugRedirects).where(eq(orgSlugRedirects.slug, newSlug)),
      db
        .insert(orgSlugRedirects)
        .values({ slug: current.slug, orgId: org.orgId, expiresAt })
        .onConflictDoUpdate({ target: orgSlugRedirects.slug, set: { orgId: org.orgId, expiresAt } }),
    );
  }
  const text = summary.join("; ");
  try {
    await db.batch([
      db
        .update(orgs)
        .set({ ...after, updatedAt: at })
        .where(eq(orgs.id, org.orgId)),
      ...slugQueries,
      auditInsert(db, {
        orgId: org.orgId,
        actor: org.actor,
        resourceType: "settings",
        resourceId: org.orgId,
        operation: "updated",
        summary: text.charAt(0).toUpperCase() + text.slice(1),
        before,
        after,
        at,
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "orgs.slug")) throw slugTaken();
    throw err;
  }
  return settingsView({ ...current, ...after, updatedAt: at });
}

// ---- Logo (stored in R2: see docs/architecture.md, "Storage decisions") ----

export const LOGO_MAX_BYTES = 2 * 1024 * 1024;
export const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
type LogoType = (typeof LOGO_TYPES)[number];
const LOGO_TYPE_NAMES: Record<LogoType, string> = {
  "image/png": "PNG",
  "image/jpeg": "JPEG",
  "image/webp": "WebP",
  "image/gif": "GIF",
};

const startsWith = (bytes: Uint8Array, sig: readonly number[], offset = 0) =>
  bytes.length >= offset + sig.length && sig.every((b, i) => bytes[offset + i] === b);
const ascii = (s: string) => [...s].map((ch) => ch.charCodeAt(0));

/** The image type the file's magic bytes announce, or null. */
export function sniffImageType(bytes: Uint8Array): LogoType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  return null;
}

const logoFieldError = (message: string) => validationError(`logo: ${message}`, { fields: [{ field: "logo", message }] });

/** Replaces the workspace logo. The declared type must be allowed and match the file's magic bytes. */
export async function setLogo(
  db: Db,
  files: R2Bucket,
  org: OrgContext,
  upload: { contentType: string | null; bytes: Uint8Array },
  at = Date.now(),
): Promise<WorkspaceSettings> {
  const declared = (upload.contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (!(LOGO_TYPES as readonly string[]).includes(declared)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", 415, "The logo must be a PNG, JPEG, WebP or GIF image.", {
      field: "logo",
      allowed: LOGO_TYPES,
    });
  }
  const type = declared as LogoType;
  if (upload.bytes.byteLength > LOGO_MAX_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", 413, `The logo is larger than ${LOGO_MAX_BYTES / 1024 / 1024} MB.`, {
      field: "logo",
      maxBytes: LOGO_MAX_BYTES,
    });
  }
  if (upload.bytes.byteLength === 0) throw logoFieldError("The file is empty.");
  if (sniffImageType(upload.bytes) !== type) throw logoFieldError(`The file is not a valid ${LOGO_TYPE_NAMES[type]} image.`);

  const current = await findOrgById(db, org.orgId);
  if (!current) throw notFound("Workspace");
  const key = `logos/${org.orgId}/${newId("logo", at)}`;
  await files.put(key, upload.bytes, { httpMetadata: { contentType: type } });
  try {
    await db.batch([
      db.update(orgs).set({ logoKey: key, logoContentType: type, updatedAt: at }).where(eq(orgs.id, org.orgId)),
      auditInsert(db, {
        orgId: org.orgId,
        actor: org.actor,
        resourceType: "settings",
        resourceId: org.orgId,
        operation: "updated",
        summary: `${current.logoKey ? "Replaced" : "Uploaded"} the workspace logo (${LOGO_TYPE_NAMES[type]}, ${Math.ceil(upload.bytes.byteLength / 1024)} KB)`,
        before: { logo: current.logoContentType ? { contentType: current.logoContentType } : null },
        after: { logo: { contentType: type, bytes: upload.bytes.byteLength } },
        at,
      }),
    ]);
  } catch (err) {
    await files.delete(key);
    throw err;
  }
  if (current.logoKey) await files.delete(current.logoKey);
  return settingsView({ ...current, logoKey: key, logoContentType: type, updatedAt: at });
}

export async function removeLogo(db: Db, files: R2Bucket, org: OrgContext, at = Date.now()): Promise<WorkspaceSettings> {
  const current = await findOrgById(db, org.orgId);
  if (!current) throw notFound("Workspace");
  if (!current.logoKey) return settingsView(current);
  await db.batch([
    db.update(orgs).set({ logoKey: null, logoContentType: null, updatedAt: at }).where(eq(orgs.id, org.orgId)),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "settings",
      resourceId: org.orgId,
      operation: "updated",
      summary: "Removed the workspace logo",
      before: { logo: { contentType: current.logoContentType } },
      after: { logo: null },
      at,
    }),
  ]);
  await files.delete(current.logoKey);
  return settingsView({ ...current, logoKey: null, logoContentType: null, updatedAt: at });
}

export async function getLogo(db: Db, files: R2Bucket, orgId: string) {
  const row = await findOrgById(db, orgId);
  if (!row?.logoKey || !row.logoContentType) throw notFound("Logo");
  const object = await files.get(row.logoKey);
  if (!object) throw notFound("Logo");
  return { body: object.body, contentType: row.logoContentType, etag: object.httpEtag, version: logoVersion(row.logoKey) };
}

// ---- Danger zone ----

/**
 * Deletes the workspace and all its rows, and ends members' sessions working in it. The caller's own
 * session survives (detached from the workspace) so they can carry on in another one. No audit entry:
 * the workspace's log is deleted with it (the append-only trigger allows that once the org row is gone).
 */
export async function deleteWorkspace(
  db: Db,
  env: Pick<Env, "DB" | "EVENT_SHARDS" | "ROLLUP_BUFFERS">,
  files: R2Bucket,
  org: OrgContext,
  callerSessionId: string,
  input: z.infer<typeof deleteWorkspaceSchema>,
): Promise<void> {
  if (org.isDemo) throw conflict("The demo workspace cannot be deleted; leave it instead.");
  if (input.confirmName !== org.name) {
    const message = "Type the workspace name exactly to confirm.";
    throw validationError(`confirmName: ${message}`, { fields: [{ field: "confirmName", message }] });
  }
  const id = org.orgId;
  // Shards are listed from the registry, which goes with the org row: they go first.
  await destroyWorkspaceShards(env, id);
  await db.batch([
    db.delete(memberships).where(eq(memberships.orgId, id)),
    db.delete(orgSlugRedirects).where(eq(orgSlugRedirects.orgId, id)),
    // The org row goes first: the audit delete trigger refuses while the org exists (migration 0001).
    db.delete(orgs).where(eq(orgs.id, id)),
    db.delete(auditLog).where(eq(auditLog.orgId, id)),
    db.delete(auditPruneCutoffs).where(eq(auditPruneCutoffs.orgId, id)),
    db.update(sessions).set({ orgId: null }).where(and(eq(sessions.id, callerSessionId), eq(sessions.orgId, id))),
    db.delete(sessions).where(eq(sessions.orgId, id)),
  ]);
  // Every object under the org's prefix, including any left behind by an interrupted upload.
  const listed = await files.list({ prefix: `logos/${id}/` });
  if (listed.objects.length) await files.delete(listed.objects.map((o) => o.key));
}

/**
 * Removes the caller from the demo workspace. Not audited: the demo is shared by every user, and its
 * log must not reveal who else uses this deployment.
 */
export async function leaveDemo(db: Db, org: OrgContext): Promise<void> {
  if (!org.isDemo) throw conflict("Only the demo workspace can be left this way.");
  const userId = org.actor.userId;
  if (!userId) throw notFound("Member");
  await db.delete(memberships).where(and(eq(memberships.orgId, org.orgId), eq(memberships.userId, userId)));
}
