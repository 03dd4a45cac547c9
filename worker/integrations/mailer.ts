/**
 * SendOps' own outgoing mail (e.g. "Delegate this step"): SES v2 SendEmail with SendOps' own long-term
 * credentials, in MAILER_REGION, from MAILER_FROM. Customers' roles are never used for it.
 */
import { SesClient } from "../aws/ses";
import type { Env } from "../env";
import { AppError } from "../lib/errors";

export type MailerEnv = Pick<Env, "AWS_ENDPOINT_URL" | "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "MAILER_FROM" | "MAILER_REGION">;

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends one message; AppError 503 MAILER_NOT_CONFIGURED when this deployment has no sender or no AWS keys. */
export async function sendMail(env: MailerEnv, mail: Mail): Promise<{ messageId: string }> {
  if (!env.MAILER_FROM || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    throw new AppError(
      "MAILER_NOT_CONFIGURED",
      503,
      "This SendOps deployment does not send email: its operator has to set MAILER_FROM and the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY secrets.",
    );
  }
  const ses = new SesClient(env, { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }, env.MAILER_REGION);
  return ses.sendEmail({ from: env.MAILER_FROM, to: [mail.to], subject: mail.subject, text: mail.text, html: mail.html });
}
