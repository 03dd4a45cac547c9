import { extractAddress, type SesMail } from "./schemas";

/**
 * The identities an SES event may have been sent from, most specific first: the `mail.source` address,
 * its domain, the identity in `sourceArn` (`…:identity/<domain-or-address>`), and the `ses:from-domain`
 * tag values. All lowercase.
 */
export function sendingIdentityCandidates(mail: SesMail): string[] {
  const out: string[] = [];
  const push = (v: string | undefined) => {
    const x = v?.trim().toLowerCase();
    if (x && !out.includes(x)) out.push(x);
  };
  const source = extractAddress(mail.source).toLowerCase();
  push(source);
  push(domainOf(source));
  const arn = mail.sourceArn ? /:identity\/(.+)$/.exec(mail.sourceArn)?.[1] : undefined;
  push(arn);
  if (arn?.includes("@")) push(domainOf(arn));
  for (const d of mail.tags?.["ses:from-domain"] ?? []) push(d);
  return out;
}

/** The first candidate that is a managed identity of the org, or null (the event is dropped). */
export function matchManagedIdentity(mail: SesMail, managed: ReadonlySet<string>): string | null {
  for (const c of sendingIdentityCandidates(mail)) if (managed.has(c)) return c;
  return null;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return (at >= 0 ? address.slice(at + 1) : address).toLowerCase();
}
