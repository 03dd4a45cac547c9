/**
 * The DNS stand-in's HTTP server: DNS-over-HTTPS in the JSON form Cloudflare's and Google's resolvers
 * answer (`GET /dns-query?name=…&type=…`, `application/dns-json`), following CNAMEs as a recursive
 * resolver does, plus `/__sim/dns/records` to read and edit the zone data (tests, the demo seed, a
 * developer marking records as "added at the DNS provider").
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { DnsRecords, isRecordType, normaliseName, RECORD_TYPES, type RecordType } from "./records";

/** DNS RCODEs used in the JSON answer's `Status`. */
const NOERROR = 0;
const NXDOMAIN = 3;
const TTL = 300;
const MAX_CNAME_CHAIN = 8;

interface Answer {
  name: string;
  type: number;
  TTL: number;
  data: string;
}

const fqdn = (name: string) => `${name}.`;
/** A TXT character-string holds at most 255 bytes (RFC 1035 §3.3); a longer value (SPF, DKIM keys: ASCII) is published as several. */
const TXT_STRING_MAX = 255;
const txtStrings = (value: string) => value.match(new RegExp(`[^]{1,${TXT_STRING_MAX}}`, "g")) ?? [""];
/** DoH JSON quotes each TXT character-string (`"a" "b"` for a long one) and writes host names fully qualified. */
const wireData = (type: RecordType, value: string) =>
  type === "TXT" ? txtStrings(value).map((part) => JSON.stringify(part)).join(" ") : type === "CNAME" ? fqdn(value) : type === "MX" ? value.replace(/(\S+)$/, (h) => fqdn(h)) : value;

export function resolve(records: DnsRecords, rawName: string, type: RecordType) {
  const question = normaliseName(rawName);
  const answers: Answer[] = [];
  let name = question;
  let found = false;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const direct = records.get(name, type);
    if (direct) {
      answers.push(...direct.values.map((v) => ({ name: fqdn(name), type: RECORD_TYPES[type], TTL, data: wireData(type, v) })));
      found = true;
      break;
    }
    const alias = type === "CNAME" ? undefined : records.get(name, "CNAME");
    if (!alias) break;
    answers.push({ name: fqdn(name), type: RECORD_TYPES.CNAME, TTL, data: fqdn(alias.values[0]!) });
    name = alias.values[0]!;
  }
  // The RCODE speaks of the chain's last name (RFC 6604): a CNAME to a name that does not exist is NXDOMAIN, with the CNAME in the answer.
  const status = found || records.hasName(name) ? NOERROR : NXDOMAIN;
  return {
    Status: status,
    TC: false,
    RD: true,
    RA: true,
    AD: false,
    CD: false,
    Question: [{ name: fqdn(question), type: RECORD_TYPES[type] }],
    ...(answers.length ? { Answer: answers } : {}),
  };
}

const TYPE_BY_NUMBER = new Map(Object.entries(RECORD_TYPES).map(([k, v]) => [String(v), k as RecordType]));

export class DnsSim {
  readonly records = new DnsRecords();
  readonly server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((err) => {
        console.error("dns sim:", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "internal error in the DNS stand-in" }));
      });
    });
  }

  listen(port: number): Promise<string> {
    return new Promise((resolve) => {
      this.server.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`));
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, body: unknown, type = "application/json") => res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
    if (url.pathname === "/dns-query" && req.method === "GET") {
      const name = url.searchParams.get("name");
      const rawType = (url.searchParams.get("type") ?? "A").toUpperCase();
      const type = TYPE_BY_NUMBER.get(rawType) ?? rawType;
      if (!name || !isRecordType(type)) return reply(400, { error: `name is required and type must be one of ${Object.keys(RECORD_TYPES).join(", ")}` });
      return reply(200, resolve(this.records, name, type), "application/dns-json");
    }
    if (url.pathname === "/__sim/dns/records") {
      if (req.method === "GET") return reply(200, { records: this.records.list() });
      if (req.method === "DELETE") {
        this.records.clear();
        return reply(200, { records: [] });
      }
      if (req.method === "PUT") {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        let input: { name?: unknown; type?: unknown; values?: unknown };
        try {
          input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        } catch {
          return reply(400, { message: "The body is not valid JSON." });
        }
        const { name, type, values } = input;
        if (typeof name !== "string" || typeof type !== "string" || !isRecordType(type) || !Array.isArray(values) || values.some((v) => typeof v !== "string")) {
          return reply(400, { message: 'Body: {"name": "…", "type": "TXT|CNAME|MX|A|AAAA", "values": ["…"]} (empty values removes the set).' });
        }
        try {
          return reply(200, { record: this.records.put(name, type, values as string[]) });
        } catch (err) {
          return reply(409, { message: (err as Error).message });
        }
      }
    }
    return reply(404, { message: `No route ${req.method} ${url.pathname}` });
  }
}
