import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { assertWebhookUrlAllowed, blockedAddressReason } from "../worker/services/webhooks/url-guard";
import { isDevelopment } from "../worker/env";

const production: { ENVIRONMENT: "production" | "development"; DNS_RESOLVER_URL: string } = { ENVIRONMENT: "production", DNS_RESOLVER_URL: env.DNS_RESOLVER_URL };
const development = { ENVIRONMENT: "development" as const, DNS_RESOLVER_URL: env.DNS_RESOLVER_URL };

let n = 0;
const uniqueHost = (label: string) => `${label}-${Date.now().toString(36)}${++n}.hooks.test`;

async function putDns(name: string, type: "A" | "AAAA" | "CNAME", values: string[]) {
  const res = await fetch(`${new URL(env.DNS_RESOLVER_URL).origin}/__sim/dns/records`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, type, values }),
  });
  if (!res.ok) throw new Error(`dns sim: ${res.status} ${await res.text()}`);
}

async function refusal(e: typeof production, url: string): Promise<string> {
  try {
    await assertWebhookUrlAllowed(e, url);
  } catch (err) {
    const { code, status, message } = err as { code: string; status: number; message: string };
    expect({ code, status }).toEqual({ code: "WEBHOOK_URL_REFUSED", status: 400 });
    return message;
  }
  throw new Error(`${url} was accepted`);
}

describe("blocked address ranges", () => {
  const blocked: [string, string][] = [
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.254", "private"],
    ["192.168.1.1", "private"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.254", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["64:ff9b::7f00:1", "loopback"],
  ];
  for (const [address, reason] of blocked) {
    it(`${address} is ${reason}`, () => expect(blockedAddressReason(address, false)).toBe(reason));
  }

  it("public neighbours of the ranges pass", () => {
    for (const address of ["11.0.0.1", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.63.255.255", "100.128.0.1", "169.253.255.255", "93.184.216.34", "2606:2800:220:1::1", "fec0::1", "::ffff:93.184.216.34"]) {
      expect(blockedAddressReason(address, false), address).toBeNull();
    }
  });

  it("loopback passes only when development allows it", () => {
    expect(blockedAddressReason("127.0.0.1", true)).toBeNull();
    expect(blockedAddressReason("::1", true)).toBeNull();
    expect(blockedAddressReason("10.0.0.1", true)).toBe("private");
  });
});

describe("endpoint URLs in production", () => {
  it("the production env is not development; the tests' own env is", () => {
    expect(isDevelopment(production)).toBe(false);
    expect(isDevelopment(development)).toBe(true);
  });

  it("refuses non-https, credentials, internal names and IP literals in every blocked range", async () => {
    expect(await refusal(production, "http://hooks.example.com/x")).toMatch(/https/);
    expect(await refusal(production, "ftp://hooks.example.com/x")).toMatch(/https/);
    expect(await refusal(production, "https://user:pw@hooks.example.com/x")).toMatch(/user name or password/);
    expect(await refusal(production, "not a url")).toMatch(/absolute URL/);
    for (const host of ["localhost", "api.localhost", "metadata.google.internal", "metadata", "db.internal", "printer.local"]) {
      expect(await refusal(production, `https://${host}/hook`)).toMatch(/loopback name|internal host name/);
    }
    for (const host of ["10.1.2.3", "172.16.0.1", "192.168.0.10", "127.0.0.1", "169.254.169.254", "100.64.1.1", "0.0.0.0", "224.0.0.251", "[::1]", "[fc00::1]", "[fe80::1]", "[::ffff:192.168.0.1]", "2130706433"]) {
      expect(await refusal(production, `https://${host}/hook`), host).toMatch(/blocked address/);
    }
  });

  it("refuses names that resolve to private addresses (A, AAAA, via CNAME, or one bad among good)", async () => {
    const a = uniqueHost("a-private");
    await putDns(a, "A", ["10.0.0.7"]);
    expect(await refusal(production, `https://${a}/hook`)).toMatch(/blocked address: .* resolves to 10\.0\.0\.7 \(private\)/);

    const meta = uniqueHost("a-metadata");
    await putDns(meta, "A", ["169.254.169.254"]);
    expect(await refusal(production, `https://${meta}/hook`)).toMatch(/169\.254\.169\.254 \(link-local\)/);

    const six = uniqueHost("aaaa-ula");
    await putDns(six, "AAAA", ["fd00::5"]);
    expect(await refusal(production, `https://${six}/hook`)).toMatch(/fd00::5 \(private\)/);

    const alias = uniqueHost("alias");
    const target = uniqueHost("target");
    await putDns(target, "A", ["127.0.0.1"]);
    await putDns(alias, "CNAME", [target]);
    expect(await refusal(production, `https://${alias}/hook`)).toMatch(/127\.0\.0\.1 \(loopback\)/);

    const mixed = uniqueHost("mixed");
    await putDns(mixed, "A", ["93.184.216.34", "192.168.7.7"]);
    expect(await refusal(production, `https://${mixed}/hook`)).toMatch(/192\.168\.7\.7/);

    expect(await refusal(production, `https://${uniqueHost("missing")}/hook`)).toMatch(/does not resolve/);
  });

  it("accepts a name whose every address is public, on any port", async () => {
    const ok = uniqueHost("public");
    await putDns(ok, "A", ["93.184.216.34"]);
    await putDns(ok, "AAAA", ["2606:2800:220:1:248:1893:25c8:1946"]);
    expect(await assertWebhookUrlAllowed(production, `https://${ok}:8443/sendops?x=1`)).toBe(`https://${ok}:8443/sendops?x=1`);
  });
});

describe("endpoint URLs in development", () => {
  it("allows http and loopback, still refuses private and link-local", async () => {
    expect(await assertWebhookUrlAllowed(development, "http://127.0.0.1:9999/hook")).toBe("http://127.0.0.1:9999/hook");
    expect(await assertWebhookUrlAllowed(development, "http://localhost:9999/hook")).toBe("http://localhost:9999/hook");
    expect(await assertWebhookUrlAllowed(development, "http://[::1]:9999/hook")).toBe("http://[::1]:9999/hook");
    expect(await refusal(development, "http://10.0.0.1/hook")).toMatch(/private/);
    expect(await refusal(development, "http://169.254.169.254/latest/meta-data")).toMatch(/link-local/);
  });
});
