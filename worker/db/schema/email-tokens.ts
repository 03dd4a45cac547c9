import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

/**
 * Links mailed to prove an address: `verify` (the account's own email) or `change` (a new address, applied
 * only when its link is used). Only the SHA-256 of the token is stored; each is single use (`usedAt`) and
 * expires. Issuing a new one of the same purpose removes the user's older ones.
 */
export const emailTokens = sqliteTable(
  "email_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["verify", "change"] }).notNull(),
    /** The address the link proves (the account's email, or the new one for `change`). */
    email: text("email").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("email_tokens_user").on(t.userId, t.purpose)],
);
