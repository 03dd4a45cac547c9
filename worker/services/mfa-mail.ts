import type { SessionUser } from "../context";
import type { Env } from "../env";
import { sendMail } from "../integrations/mailer";
import type { MfaChange } from "./mfa";

/** The security email when a user's MFA turns on or off (so a change they did not make does not go unnoticed). */
export function mfaChangeMail(user: Pick<SessionUser, "name">, change: Exclude<MfaChange, null>, profileUrl: string) {
  const on = change === "enabled";
  const subject = on ? "Multi-factor authentication is on" : "Multi-factor authentication is off";
  const text = [
    `Hi ${user.name},`,
    "",
    on
      ? "Multi-factor authentication was turned on for your SendOps account. Signing in now needs a code from your authenticator app, your security key or a recovery code."
      : "Multi-factor authentication was turned off for your SendOps account: its last authenticator app or security key was removed, and its recovery codes no longer work.",
    "",
    `If this was not you, sign in, change your password and review Profile → Security: ${profileUrl}`,
  ].join("\n");
  return { subject: `SendOps: ${subject}`, text };
}

/** Sends it; a deployment without mail (or a mail failure) is logged, never an error for the change itself. */
export async function sendMfaChangeMail(env: Env, user: SessionUser, change: Exclude<MfaChange, null>): Promise<void> {
  try {
    await sendMail(env, { to: user.email, ...mfaChangeMail(user, change, new URL("/", env.APP_URL).toString()) });
  } catch (e) {
    console.warn(`MFA security email to ${user.id} not sent: ${e instanceof Error ? e.message : String(e)}`);
  }
}
