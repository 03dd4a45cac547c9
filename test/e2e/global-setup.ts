import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { localDb } from "../../scripts/lib/d1";
import { prepareDemoWorkspace } from "../../scripts/lib/demo-seed";
import { demoSimsOf } from "../../scripts/lib/demo-sims";
import { applyMigrations, freePort, startWrangler, type Instance } from "../../scripts/lib/instance";
import { SIMS, startSims, type RunningSims } from "../../scripts/lib/sims";

let instance: Instance | undefined;
let sims: RunningSims | undefined;
let dir: string | undefined;

/**
 * One fresh instance (own port, own empty local storage) for the whole e2e run, with the sim/ stand-ins
 * `npm start` runs (each on a free port); stopped afterwards.
 */
export async function setup(project: TestProject) {
  dir = mkdtempSync(path.join(os.tmpdir(), "sendops-e2e-"));
  await applyMigrations(dir);
  const ports = await Promise.all(SIMS.map(() => freePort()));
  sims = await startSims(SIMS.map((s, i) => ({ ...s, port: ports[i]! })));
  // The demo workspace, its world in the stand-ins and its ingest key, as `npm start`'s seed creates
  // them — written before the instance starts, so nothing else holds the local database (and in one
  // process, not one per query).
  const setupDb = await localDb(dir);
  const { ingestKey: demoIngestKey } = await prepareDemoWorkspace(setupDb.db, Date.now(), demoSimsOf(sims.vars));
  await setupDb.close();
  project.provide("demoIngestKey", demoIngestKey);
  instance = await startWrangler({ persistDir: dir, vars: sims.vars, devVars: sims.devVars });
  project.provide("baseUrl", instance.url);
  // The AWS stand-in's URL, for tests that check what reached "SES" through its /__sim control API.
  project.provide("awsUrl", sims.vars.AWS_ENDPOINT_URL!);
  // The DNS stand-in's base URL: tests add records there as a customer would at their DNS provider.
  project.provide("dnsUrl", new URL(sims.vars.DNS_RESOLVER_URL!).origin);
  // The GitHub + Google stand-in: tests add personas there (sim/oauth control routes).
  project.provide("oauthUrl", sims.vars.GITHUB_OAUTH_URL!);
  // Tests that seed data the API cannot create yet write to this instance's local D1 directly.
  project.provide("persistDir", dir);
}

export async function teardown() {
  await instance?.stop();
  await sims?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    persistDir: string;
    awsUrl: string;
    dnsUrl: string;
    oauthUrl: string;
    demoIngestKey: string;
  }
}
