import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations, startWrangler, type Instance } from "../../scripts/lib/instance";

let instance: Instance | undefined;
let dir: string | undefined;

/** One fresh instance (own port, own empty local storage) for the whole e2e run; stopped afterwards. */
export async function setup(project: TestProject) {
  dir = mkdtempSync(path.join(os.tmpdir(), "sendops-e2e-"));
  await applyMigrations(dir);
  instance = await startWrangler({ persistDir: dir });
  project.provide("baseUrl", instance.url);
  // Tests that seed data the API cannot create yet write to this instance's local D1 directly.
  project.provide("persistDir", dir);
}

export async function teardown() {
  await instance?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    persistDir: string;
  }
}
