/**
 * A customer's webhook receiver on 127.0.0.1, for the worker tests (started by test/aws-sim-setup.ts) and
 * the e2e. It verifies each request exactly as docs/webhooks.md tells receivers to (written from that page,
 * not from SendOps' signer) and answers with the status a test chose for the path.
 *
 * Control: `PUT /__control/<name>` `{secret?, status?, delayMs?}`; `GET /__control/<name>` → the requests
 * received on `POST /<name>`, each with its headers, raw body and verification result.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

const TOLERANCE_S = 5 * 60;

/** docs/webhooks.md "Verifying a request", in Node. */
export function verifyFromDocs(secret: string, rawBody: Buffer | string, timestampHeader: string | undefined, signatureHeader: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const timestamp = Number(timestampHeader);
  if (!timestampHeader || !Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > TOLERANCE_S) return false;
  const expected = Buffer.from("v1=" + createHmac("sha256", secret).update(`${timestampHeader}.`).update(rawBody).digest("hex"));
  return String(signatureHeader ?? "")
    .split(" ")
    .some((candidate) => {
      const received = Buffer.from(candidate);
      return received.length === expected.length && timingSafeEqual(received, expected);
    });
}

export interface ReceivedRequest {
  at: number;
  headers: Record<string, string>;
  body: string;
  /** null when no secret was set for the path. */
  verified: boolean | null;
}

interface PathConfig {
  secret?: string;
  status?: number;
  delayMs?: number;
  requests: ReceivedRequest[];
}

export class WebhookReceiver {
  private readonly paths = new Map<string, PathConfig>();
  readonly server = http.createServer((req, res) => void this.handle(req, res));

  listen(port = 0): Promise<string> {
    return new Promise((resolve) => this.server.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`)));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private config(name: string): PathConfig {
    let c = this.paths.get(name);
    if (!c) this.paths.set(name, (c = { requests: [] }));
    return c;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const control = /^\/__control\/([\w.-]+)$/.exec(url.pathname);
    if (control) {
      const c = this.config(control[1]!);
      if (req.method === "PUT") {
        Object.assign(c, JSON.parse(raw.toString("utf8") || "{}"));
        return reply(200, { ok: true });
      }
      return reply(200, { requests: c.requests });
    }
    const name = url.pathname.slice(1);
    if (req.method !== "POST" || !/^[\w.-]+$/.test(name)) return reply(404, { error: "not found" });
    const c = this.config(name);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
    const verified = c.secret === undefined ? null : verifyFromDocs(c.secret, raw, headers["x-sendops-timestamp"], headers["x-sendops-signature"]);
    c.requests.push({ at: Date.now(), headers, body: raw.toString("utf8"), verified });
    if (c.delayMs) await new Promise((r) => setTimeout(r, c.delayMs));
    if (verified === false) return reply(401, { error: "Invalid signature" });
    reply(c.status ?? 200, { received: true });
  }
}
