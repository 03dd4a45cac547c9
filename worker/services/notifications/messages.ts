/**
 * A notification as an email and as a Slack message: severity, title, body and an absolute link to its
 * page in the dashboard. Pure.
 */
import type { Mail } from "../../integrations/mailer";
import type { SlackMessage } from "../../integrations/slack";
import { escapeHtml } from "../../lib/html";
import { NOTIFICATION_CATEGORIES, NOTIFICATION_TYPES, type NotificationSeverity, type OutboundNotification } from "../../lib/notification-types";

const SEVERITY_LABELS: Record<NotificationSeverity, string> = { info: "Info", warning: "Warning", error: "Error", critical: "Critical" };
const SEVERITY_EMOJI: Record<NotificationSeverity, string> = { info: ":information_source:", warning: ":warning:", error: ":x:", critical: ":rotating_light:" };
const SEVERITY_COLOURS: Record<NotificationSeverity, string> = { info: "#2563eb", warning: "#b45309", error: "#dc2626", critical: "#7f1d1d" };

/** `https://app.example/w/acme/channels/ch_1`: the notification's page in its workspace. */
export function notificationUrl(appUrl: string, slug: string, link: string): string {
  return new URL(`/w/${slug}/${link.replace(/^\/+/, "")}`, appUrl).toString();
}

export function notificationEmail(n: OutboundNotification, ctx: { url: string; workspaceName: string }): Omit<Mail, "to"> {
  const severity = SEVERITY_LABELS[n.severity];
  const category = NOTIFICATION_CATEGORIES[NOTIFICATION_TYPES[n.type].category].label;
  const subject = `[${severity}] ${n.title} — ${ctx.workspaceName}`;
  const footer = `You receive this because of your notification preferences in ${ctx.workspaceName} (Notifications → Preferences).`;
  const text = [`${severity} · ${category}`, "", n.title, "", n.body, "", `Open in SendOps: ${ctx.url}`, "", "--", footer].join("\n");
  const html = [
    `<div style="font-family:system-ui,sans-serif;max-width:560px">`,
    `<p style="margin:0 0 8px"><span style="display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;background:${SEVERITY_COLOURS[n.severity]}">${severity}</span> <span style="color:#555">${escapeHtml(category)}</span></p>`,
    `<h2 style="margin:0 0 12px;font-size:18px">${escapeHtml(n.title)}</h2>`,
    `<p style="margin:0 0 16px">${escapeHtml(n.body)}</p>`,
    `<p><a href="${escapeHtml(ctx.url)}" style="display:inline-block;padding:8px 14px;border-radius:6px;background:#111;color:#fff;text-decoration:none">Open in SendOps</a></p>`,
    `<p style="color:#777;font-size:12px">${escapeHtml(footer)}</p>`,
    `</div>`,
  ].join("\n");
  return { subject, text, html };
}

/** Slack's mrkdwn treats &, < and > as control characters. */
export const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function notificationSlackMessage(n: OutboundNotification, ctx: { url: string; workspaceName: string }): SlackMessage {
  const severity = SEVERITY_LABELS[n.severity];
  return {
    text: `[${severity}] ${n.title}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: n.title.slice(0, 150), emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: mrkdwn(n.body) } },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `${SEVERITY_EMOJI[n.severity]} *${severity}* · ${mrkdwn(NOTIFICATION_TYPES[n.type].label)} · ${mrkdwn(ctx.workspaceName)}` }],
      },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in SendOps" }, url: ctx.url }] },
    ],
  };
}
