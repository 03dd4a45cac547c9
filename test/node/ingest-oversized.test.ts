import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDb } from "../../scripts/lib/d1";
import { applyMigrations, startWrangler, type Instance } from "../../scripts/lib/instance";
import { runCommand } from "../../scripts/lib/operator";
import { INGEST_MAX_BODY_BYTES } from "../../worker/services/ingest/limits";

/*
 * An oversized ingest body over a real socket, as `npm start` serves it: the client must get the whole
 * 413 answer and a connection that ends cleanly, not a reset halfway through its upload. (The worker
 * pool calls the Worker in-process, with no connection to break, so this runs in Node.)
 */

const TEN_MB = 10 * 1024 * 1024;

let dir: string;
let instance: Instance | undefined;
let key: string;

interface Outcome {
  status: number | undefined;
  body: string;
  /** Errors of the request or the response (ECONNRESET, EPIPE, "aborted"), in order. */
  errors: string[];
}

/** POSTs `size` bytes in 64 KiB writes and settles when the connection has closed. */
function post(size: number, mode: { chunked?: boolean } = {}): Promise<Outcome> {
  const url = new URL("/ingest/eventbridge", instance!.url);
  const out: Outcome = { status: undefined, body: "", errors: [] };
  const chunk = Buffer.alloc(64 * 1024, "x");
  return new Promise((resolve) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      agent: false,
      headers: {
        "content-type": "application/json",
        "x-api-key": key,
        ...(mode.chunked ? {} : { "content-length": String(size) }),
      },
    });
    req.on("response", (res) => {
      out.status = res.statusCode;
      res.setEncoding("utf8");
      res.on("data", (d: string) => (out.body += d));
      res.on("error", (e) => out.errors.push(`response: ${e.message}`));
      res.on("aborted", () => out.errors.push("response: aborted"));
    });
    req.on("error", (e) => out.errors.push(`request: ${e.message}`));
    req.on("close", () => resolve(out));
    let sent = 0;
    const send = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", send);
      }
      req.end();
    };
    send();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sendops-oversized-test-"));
  await applyMigrations(dir);
  const local = await localDb(dir);
  try {
    const owner = "oversized@example.com";
    await runCommand(local.db, "create-user", { email: owner, name: "Oversized", password: "owner password" });
    await runCommand(local.db, "create-workspace", { name: "Oversized Inc", "owner-email": owner, slug: "oversized" });
    key = ((await runCommand(local.db, "rotate-ingest-key", { workspace: "oversized" })) as { key: string }).key;
  } finally {
    await local.close();
  }
  instance = await startWrangler({ persistDir: dir });
});

afterAll(async () => {
  await instance?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tooLarge = { error: { code: "PAYLOAD_TOO_LARGE", message: `Body exceeds ${INGEST_MAX_BODY_BYTES} bytes.` } };

describe("POST /ingest/eventbridge with a 10 MB body", () => {
  it("answers a complete 413 and closes the connection cleanly, with Content-Length", async () => {
    for (let i = 0; i < 3; i++) {
      const out = await post(TEN_MB);
      expect(out.errors).toEqual([]);
      expect(out.status).toBe(413);
      expect(JSON.parse(out.body)).toMatchObject(tooLarge);
    }
  });

  it("answers a complete 413 and closes the connection cleanly, chunked (no Content-Length)", async () => {
    for (let i = 0; i < 3; i++) {
      const out = await post(TEN_MB, { chunked: true });
      expect(out.errors).toEqual([]);
      expect(out.status).toBe(413);
      expect(JSON.parse(out.body)).toMatchObject(tooLarge);
    }
  });
});
