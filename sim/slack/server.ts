/**
 * The Slack stand-in's HTTP server: incoming webhooks as Slack serves them
 * (`POST /services/<team>/<bot>/<token>`, JSON body, answered 200 `ok` in text/html), recording every
 * posted body, plus `/__sim/slack/…` to inspect the messages and to make a webhook fail with Slack's
 * real error answers (e.g. 404 `no_service`, 410 `channel_is_archived`, 500 `rollup_error`).
 *
 *   GET    /__sim/slack/messages[?path=/services/…]   posted messages, oldest first (JSON)
 *   DELETE /__sim/slack/messages                       forget them
 *   PUT    /__sim/slack/failures  {"path", "status", "error"}   the webhook at `path` answers that from now on
 *   DELETE /__sim/slack/failures                       every webhook answers `ok` again
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface PostedMessage {
  path: string;
  at: number;
  body: unknown;
}

const WEBHOOK_PATH = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;

export class SlackSim {
  readonly messages: PostedMessage[] = [];
  readonly failures = new Map<string, { status: number; error: string }>();
  readonly server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((err) => {
        console.error("slack sim:", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("internal error in the Slack stand-in");
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
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const text = (status: number, body: string) => res.writeHead(status, { "content-type": "text/html" }).end(body);
    const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

    if (url.pathname === "/__sim/slack/messages") {
      if (req.method === "DELETE") {
        this.messages.length = 0;
        return json(200, { messages: [] });
      }
      const path = url.searchParams.get("path");
      return json(200, { messages: path ? this.messages.filter((m) => m.path === path) : this.messages });
    }
    if (url.pathname === "/__sim/slack/failures") {
      if (req.method === "DELETE") {
        this.failures.clear();
        return json(200, {});
      }
      const input = JSON.parse(raw || "{}") as { path?: string; status?: number; error?: string };
      if (!input.path || !input.status || !input.error) return json(400, { message: 'Body: {"path": "/services/…", "status": 404, "error": "no_service"}' });
      this.failures.set(input.path, { status: input.status, error: input.error });
      return json(200, {});
    }

    if (req.method !== "POST" || !WEBHOOK_PATH.test(url.pathname)) return text(404, "no_service");
    const failure = this.failures.get(url.pathname);
    if (failure) return text(failure.status, failure.error);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return text(400, "invalid_payload");
    }
    const message = body as { text?: unknown; blocks?: unknown };
    if (typeof message.text !== "string" && !Array.isArray(message.blocks)) return text(400, "no_text");
    this.messages.push({ path: url.pathname, at: Date.now(), body });
    return text(200, "ok");
  }
}
