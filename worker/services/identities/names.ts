/**
 * What SendOps accepts as an identity name before asking SES: a domain (`mail.example.com`) or an email
 * address, trimmed and lowercased (identities are stored lowercase; SES treats them case-insensitively).
 * Pure, so the dashboard's dialogs check the same rules.
 */
import { z } from "zod";

const MAX_DOMAIN = 253;
const MAX_LOCAL_PART = 64;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// The last label is a TLD: letters, or an IDN's punycode form.
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

export function isDomainName(name: string): boolean {
  if (name.length > MAX_DOMAIN) return false;
  const labels = name.split(".");
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && TLD.test(labels[labels.length - 1]!);
}

export function isEmailAddress(name: string): boolean {
  const at = name.lastIndexOf("@");
  if (at <= 0) return false;
  const local = name.slice(0, at);
  return local.length <= MAX_LOCAL_PART && LOCAL_PART.test(local) && isDomainName(name.slice(at + 1));
}

const normalised = z.string().trim().toLowerCase().max(320);

export const domainNameSchema = normalised.refine(isDomainName, {
  message: "Enter a domain such as mail.example.com: letters, digits and hyphens in dot-separated labels, without http:// or a path.",
});

export const emailAddressSchema = normalised.refine(isEmailAddress, { message: "Enter an email address such as alerts@example.com." });

/** `alerts@mail.example.com` → `mail.example.com`. */
export const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1);
