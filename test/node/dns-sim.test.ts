/**
 * The DNS stand-in (sim/dns.ts): DNS-over-HTTPS answers in the JSON form of Cloudflare's and Google's
 * resolvers (TXT, CNAME chains, NXDOMAIN, NODATA), its control routes, RFC 1035's one-CNAME rule; and,
 * started as `npm start` starts both stand-ins, the SES stand-in verifying a domain's DKIM through it.
 */
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/instance";
import { SIMS, startSims, type RunningSims } from "../../scripts/lib/sims";
import { SIM_TEST_ACCESS_KEY_ID, SIM_TEST_SECRET_ACCESS_KEY } from "../../sim/aws";
import { DnsSim } from "../../sim/dns";

let sim: DnsSim;
let base: string;

beforeAll(async () => {
  sim = new DnsSim();
  base = await sim.listen(0);
});
afterAll(async () => {
  await sim?.close();
});

const query = async (name: string, type: string) => {
  const res = await fetch(`${base}/dns-query?name=${encodeURIComponent(name)}&type=${type}`, { headers: { accept: "application/dns-json" } });
  return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as any };
};
const put = async (name: string, type: string, values: unknown) => {
  const res = await fetch(`${base}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type, values }) });
  return { status: res.status, body: (await res.json()) as any };
};

describe("DNS-over-HTTPS JSON answers", () => {
  it("TXT: each record quoted, names fully qualified; a value over 255 characters comes as several character-strings", async () => {
    const long = `v=spf1 ${Array.from({ length: 30 }, (_, i) => `include:spf${i}.example.net`).join(" ")} ~all`;
    expect((await put("Example.ORG.", "TXT", ["v=spf1 include:amazonses.com ~all", 'say "hi"', long])).status).toBe(200);
    const { status, type, body } = await query("example.org", "TXT");
    expect([status, type]).toEqual([200, "application/dns-json"]);
    expect(body).toMatchObject({ Status: 0, TC: false, RD: true, RA: true, Question: [{ name: "example.org.", type: 16 }] });
    expect(body.Answer.slice(0, 2)).toEqual([
      { name: "example.org.", type: 16, TTL: 300, data: '"v=spf1 include:amazonses.com ~all"' },
      { name: "example.org.", type: 16, TTL: 300, data: '"say \\"hi\\""' },
    ]);
    const parts = [...(body.Answer[2].data as string).matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(parts.length).toBe(Math.ceil(long.length / 255));
    expect(parts.every((p) => p.length <= 255)).toBe(true);
    expect(parts.join("")).toBe(long);
    // Numeric types and any case, with or without the trailing dot.
    expect((await query("EXAMPLE.org.", "16")).body.Answer).toHaveLength(3);
  });

  it("NXDOMAIN for a name without records, NODATA (Status 0, no Answer) for a name without the type", async () => {
    expect((await query("nothing-here.example.org", "TXT")).body).toEqual({ Status: 3, TC: false, RD: true, RA: true, AD: false, CD: false, Question: [{ name: "nothing-here.example.org.", type: 16 }] });
    await put("mx-only.example.org", "MX", ["10 inbound-smtp.us-east-1.amazonaws.com"]);
    const nodata = (await query("mx-only.example.org", "TXT")).body;
    expect(nodata.Status).toBe(0);
    expect(nodata.Answer).toBeUndefined();
    expect((await query("mx-only.example.org", "MX")).body.Answer).toEqual([{ name: "mx-only.example.org.", type: 15, TTL: 300, data: "10 inbound-smtp.us-east-1.amazonaws.com." }]);
  });

  it("follows CNAME chains for other types; a CNAME question gets the CNAME itself; a dangling CNAME is NXDOMAIN with the CNAME", async () => {
    await put("tok1._domainkey.shop.example.org", "CNAME", ["tok1.dkim.amazonses.com."]);
    await put("track.shop.example.org", "CNAME", ["hop.example.net"]);
    await put("hop.example.net", "CNAME", ["r.us-east-1.awstrack.me"]);
    await put("r.us-east-1.awstrack.me", "A", ["203.0.113.7"]);
    expect((await query("tok1._domainkey.shop.example.org", "CNAME")).body.Answer).toEqual([{ name: "tok1._domainkey.shop.example.org.", type: 5, TTL: 300, data: "tok1.dkim.amazonses.com." }]);
    expect((await query("track.shop.example.org", "CNAME")).body.Answer).toEqual([{ name: "track.shop.example.org.", type: 5, TTL: 300, data: "hop.example.net." }]);
    const chained = (await query("track.shop.example.org", "A")).body;
    expect(chained.Status).toBe(0);
    expect(chained.Answer).toEqual([
      { name: "track.shop.example.org.", type: 5, TTL: 300, data: "hop.example.net." },
      { name: "hop.example.net.", type: 5, TTL: 300, data: "r.us-east-1.awstrack.me." },
      { name: "r.us-east-1.awstrack.me.", type: 1, TTL: 300, data: "203.0.113.7" },
    ]);
    const dangling = (await query("tok1._domainkey.shop.example.org", "TXT")).body;
    expect(dangling.Status).toBe(3);
    expect(dangling.Answer).toEqual([{ name: "tok1._domainkey.shop.example.org.", type: 5, TTL: 300, data: "tok1.dkim.amazonses.com." }]);
  });

  it("refuses a question without a name or with an unknown type", async () => {
    expect((await query("", "TXT")).status).toBe(400);
    expect((await query("example.org", "SRV")).status).toBe(400);
  });
});

describe("control routes", () => {
  it("one CNAME per name and nothing beside it (RFC 1035), as DNS providers refuse it: 409", async () => {
    expect((await put("one.example.org", "CNAME", ["a.example.net", "b.example.net"])).status).toBe(409);
    expect((await put("one.example.org", "CNAME", ["a.example.net"])).status).toBe(200);
    expect(await put("one.example.org", "TXT", ["x"])).toEqual({ status: 409, body: { message: "one.example.org is a CNAME; it cannot also hold TXT records" } });
    await put("two.example.org", "TXT", ["x"]);
    expect(await put("two.example.org", "CNAME", ["a.example.net"])).toEqual({ status: 409, body: { message: "two.example.org already has TXT records; a CNAME cannot sit beside other data" } });
    // Replacing the CNAME itself is fine.
    expect((await put("one.example.org", "CNAME", ["c.example.net"])).body.record).toEqual({ name: "one.example.org", type: "CNAME", values: ["c.example.net"] });
  });

  it("lists, replaces, removes (empty values) and clears the records; bad bodies are 400, other paths 404", async () => {
    await put("list.example.org", "TXT", ["first"]);
    await put("list.example.org", "TXT", ["second", "third"]);
    const list = async () => ((await (await fetch(`${base}/__sim/dns/records`)).json()) as { records: { name: string; type: string; values: string[] }[] }).records;
    expect((await list()).find((r) => r.name === "list.example.org")).toEqual({ name: "list.example.org", type: "TXT", values: ["second", "third"] });
    expect(await put("list.example.org", "TXT", [])).toEqual({ status: 200, body: { record: null } });
    expect((await query("list.example.org", "TXT")).body.Status).toBe(3);
    expect((await put("x.example.org", "SRV", ["1"])).status).toBe(400);
    expect((await put("x.example.org", "TXT", "not a list")).status).toBe(400);
    const badJson = await fetch(`${base}/__sim/dns/records`, { method: "PUT", body: "{" });
    expect(badJson.status).toBe(400);
    expect((await fetch(`${base}/__sim/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/__sim/dns/records`, { method: "DELETE" })).status).toBe(200);
    expect(await list()).toEqual([]);
  });
});

describe("as `npm start` runs them (scripts/lib/sims.ts)", () => {
  let sims: RunningSims;
  beforeAll(async () => {
    sims = await startSims(await Promise.all(SIMS.map(async (row) => ({ ...row, port: await freePort() }))));
  });
  afterAll(async () => {
    await sims?.stop();
  });

  it("gives the Worker DNS_RESOLVER_URL, and the SES stand-in verifies a domain's DKIM through that resolver", async () => {
    const resolver = sims.vars.DNS_RESOLVER_URL!;
    expect(resolver).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dns-query$/);
    const ses = new AwsClient({ accessKeyId: SIM_TEST_ACCESS_KEY_ID, secretAccessKey: SIM_TEST_SECRET_ACCESS_KEY, service: "ses", region: "us-west-2", retries: 0 });
    const endpoint = sims.vars.AWS_ENDPOINT_URL!;
    const created = await ses.fetch(`${endpoint}/v2/email/identities`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ EmailIdentity: "npm-start.example.org" }) });
    const tokens = ((await created.json()) as { DkimAttributes: { Tokens: string[] } }).DkimAttributes.Tokens;
    const status = async () => ((await (await ses.fetch(`${endpoint}/v2/email/identities/npm-start.example.org`)).json()) as { VerificationStatus: string }).VerificationStatus;
    expect(await status()).toBe("PENDING");
    const dnsBase = new URL(resolver).origin;
    for (const t of tokens) {
      await fetch(`${dnsBase}/__sim/dns/records`, { method: "PUT", body: JSON.stringify({ name: `${t}._domainkey.npm-start.example.org`, type: "CNAME", values: [`${t}.dkim.amazonses.com`] }) });
    }
    expect(await status()).toBe("SUCCESS");
  });
});
