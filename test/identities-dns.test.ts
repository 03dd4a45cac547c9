import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { checkDomainDns } from "../worker/services/identities/dns-checks";
import { mergedSpf, recommendedRecords } from "../worker/services/identities/records";
import { putDns, uniqueDomain } from "./identities-helpers";

const TOKENS = ["tokaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "tokbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "tokccccccccccccccccccccccccccccc"];
const check = (domain: string, dkimStatus: "PENDING" | "SUCCESS" | "FAILED" = "PENDING") => checkDomainDns(env, domain, TOKENS, dkimStatus, 1_000);
const publishDkim = async (domain: string, tokens = TOKENS) => {
  for (const t of tokens) await putDns(`${t}._domainkey.${domain}`, "CNAME", [`${t}.dkim.amazonses.com`]);
};

describe("DNS checks against the DNS stand-in", () => {
  it("a domain with nothing published: SPF and DMARC missing (warnings with the records to add), DKIM pending while SES waits, an error once SES failed", async () => {
    const domain = uniqueDomain("bare");
    const c = await check(domain);
    expect(c.checkedAt).toBe(1_000);
    expect(c.spf).toEqual({ status: "warning", records: [], message: `No SPF record at ${domain}.`, fix: `Add a TXT record at ${domain}: v=spf1 include:amazonses.com ~all` });
    expect(c.dmarc).toMatchObject({ status: "warning", record: null, fix: `Add a TXT record at _dmarc.${domain}: v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}` });
    expect(c.dkim.status).toBe("pending");
    expect(c.dkim.records.map((r) => [r.name, r.expected, r.status])).toEqual(TOKENS.map((t) => [`${t}._domainkey.${domain}`, `${t}.dkim.amazonses.com`, "pending"]));
    expect((await check(domain, "FAILED")).dkim.status).toBe("error");
  });

  it("everything right: SPF with amazonses.com, DMARC quarantine, three CNAMEs to SES", async () => {
    const domain = uniqueDomain("good");
    await putDns(domain, "TXT", ["v=spf1 include:amazonses.com ~all", "google-site-verification=abc"]);
    await putDns(`_dmarc.${domain}`, "TXT", [`v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`]);
    await publishDkim(domain);
    const c = await check(domain, "SUCCESS");
    expect([c.spf.status, c.dmarc.status, c.dkim.status]).toEqual(["ok", "ok", "ok"]);
    expect(c.spf.records).toEqual(["v=spf1 include:amazonses.com ~all"]);
    expect(c.dmarc).toMatchObject({ policy: "quarantine", recordName: `_dmarc.${domain}` });
    expect(c.dkim.message).toBe("3 of 3 DKIM records resolve to SES.");
  });

  it("SPF: an existing record without amazonses.com gets the merge advice; two records are a permerror", async () => {
    const domain = uniqueDomain("spf");
    await putDns(domain, "TXT", ["v=spf1 include:_spf.google.com ~all"]);
    const one = await check(domain);
    expect(one.spf.status).toBe("warning");
    expect(one.spf.fix).toBe("Add the include to your existing record (do not publish a second one): v=spf1 include:_spf.google.com include:amazonses.com ~all");
    // The recommended SPF record the page lists is the merged one.
    expect(recommendedRecords(domain, TOKENS, one.spf.records)[3]).toMatchObject({ type: "TXT", name: domain, value: "v=spf1 include:_spf.google.com include:amazonses.com ~all" });

    await putDns(domain, "TXT", ["v=spf1 include:_spf.google.com -all", "v=spf1 include:amazonses.com ~all"]);
    const two = await check(domain);
    expect(two.spf.status).toBe("error");
    expect(two.spf.message).toContain("permerror");
    expect(two.spf.fix).toBe("Replace them with one TXT record: v=spf1 include:_spf.google.com include:amazonses.com -all");
    expect(mergedSpf(["v=spf1 ip4:192.0.2.1 include:amazonses.com", "v=spf1 ip4:192.0.2.1 ~all"])).toBe("v=spf1 ip4:192.0.2.1 include:amazonses.com ~all");
  });

  it("DMARC: p=none is a warning, a record without a policy an error, and a subdomain inherits its parent's sp= policy", async () => {
    const parent = uniqueDomain("dmarc");
    const domain = `mail.${parent}`;
    await putDns(`_dmarc.${domain}`, "TXT", ["v=DMARC1; p=none; rua=mailto:d@example.com"]);
    expect((await check(domain)).dmarc).toMatchObject({ status: "warning", policy: "none" });
    await putDns(`_dmarc.${domain}`, "TXT", ["v=DMARC1; rua=mailto:d@example.com"]);
    expect((await check(domain)).dmarc).toMatchObject({ status: "error", policy: null });

    await putDns(`_dmarc.${domain}`, "TXT", []);
    await putDns(`_dmarc.${parent}`, "TXT", ["v=DMARC1; p=reject; sp=none"]);
    const inherited = (await check(domain)).dmarc;
    expect(inherited).toMatchObject({ status: "warning", policy: "none", recordName: `_dmarc.${parent}` });
    expect(inherited.message).toContain(`inherited from _dmarc.${parent}`);
    await putDns(`_dmarc.${parent}`, "TXT", ["v=DMARC1; p=reject"]);
    expect((await check(domain)).dmarc).toMatchObject({ status: "ok", policy: "reject" });
  });

  it("DKIM: names the provider quirks — a wrong target, a relative target, the domain appended to the name, a TXT or proxied record", async () => {
    const domain = uniqueDomain("dkim");
    const [a, b, c] = TOKENS as [string, string, string];
    await putDns(`${a}._domainkey.${domain}`, "CNAME", ["selector1.dkim.amazonses.com"]);
    await putDns(`${b}._domainkey.${domain}`, "CNAME", [`${b}.dkim.amazonses.com.${domain}`]);
    await putDns(`${c}._domainkey.${domain}.${domain}`, "CNAME", [`${c}.dkim.amazonses.com`]);
    const r = (await check(domain)).dkim;
    expect(r.status).toBe("error");
    expect(r.message).toBe("0 of 3 DKIM records resolve to SES.");
    const [wrong, relative, appended] = r.records;
    expect(wrong).toMatchObject({ status: "error", found: "selector1.dkim.amazonses.com", fix: `Change the CNAME's value to ${a}.dkim.amazonses.com.` });
    expect(relative!.message).toContain("appended your domain");
    expect(appended!.message).toContain("appended the domain to the name");
    expect(appended!.fix).toContain(`Enter only ${c}._domainkey`);

    await putDns(`${a}._domainkey.${domain}`, "CNAME", []);
    await putDns(`${a}._domainkey.${domain}`, "TXT", [`${a}.dkim.amazonses.com`]);
    const txt = (await check(domain)).dkim.records[0]!;
    expect(txt).toMatchObject({ status: "error", message: "The name exists but has no CNAME record." });
    expect(txt.fix).toContain("grey cloud");
  });

  it("a resolver that cannot answer is a 503 DNS_UNAVAILABLE (nothing half-checked)", async () => {
    const broken = { DNS_RESOLVER_URL: "http://127.0.0.1:9/dns-query" };
    await expect(checkDomainDns(broken, uniqueDomain("down"), TOKENS, "PENDING", 1)).rejects.toMatchObject({ code: "DNS_UNAVAILABLE", status: 503 });
  });
});
