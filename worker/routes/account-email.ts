/** Email verification and email change (Profile), and the public page's "use this link". */
import { Hono } from "hono";
import type { AppEnv } from "../context";
import type { Env } from "../env";
import { getDb } from "../db/client";
import { publicRoute, userRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { sendMail } from "../integrations/mailer";
import { changeEmailSchema, emailChangeMails, redeemEmailToken, verificationMail, verifyEmailSchema } from "../services/email-verification";

/** After a sign-up: a failure (e.g. no mailer configured) is logged; Profile offers a resend. */
export async function sendVerificationMail(env: Env, userId: string): Promise<void> {
  try {
    await sendMail(env, await verificationMail(getDb(env.DB), env.APP_URL, userId));
  } catch (err) {
    console.warn(`verification mail for ${userId} not sent:`, err instanceof Error ? err.message : err);
  }
}

export const accountEmailRoutes = new Hono<AppEnv>()
  .post("/auth/email/verify", publicRoute(), validate("json", verifyEmailSchema), async (c) =>
    c.json(await redeemEmailToken(getDb(c.env.DB), c.req.valid("json").token)),
  )
  .post("/me/email/verification", userRoute(), async (c) => {
    const mail = await verificationMail(getDb(c.env.DB), c.env.APP_URL, c.get("session")!.user.id);
    await sendMail(c.env, mail);
    return c.json({ ok: true, sentTo: mail.to });
  })
  .post("/me/email", userRoute(), validate("json", changeEmailSchema), async (c) => {
    const [toNew, toOld] = await emailChangeMails(getDb(c.env.DB), c.env.APP_URL, c.get("session")!.user.id, c.req.valid("json"));
    await sendMail(c.env, toNew!);
    await sendMail(c.env, toOld!);
    return c.json({ ok: true, sentTo: toNew!.to });
  });
