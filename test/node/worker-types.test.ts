/**
 * worker-configuration.d.ts (the Worker's generated `Env`) is what `npm run types` makes of wrangler.toml
 * and the Worker's entry today: regenerated into a temporary directory with the script's own flags and
 * compared whole. Offline and about a second; a local `.dev.vars` changes nothing (`--env-file /dev/null`).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { ROOT, run, WRANGLER } from "../../scripts/lib/instance";

const FILE = "worker-configuration.d.ts";

it(`${FILE} is current (npm run types)`, async () => {
  const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
  const [cmd, sub, out, ...flags] = scripts.types!.split(" ");
  expect([cmd, sub, out]).toEqual(["wrangler", "types", FILE]);
  const dir = mkdtempSync(path.join(os.tmpdir(), "sendops-types-"));
  try {
    const fresh = path.join(dir, FILE);
    await run(WRANGLER, ["types", fresh, ...flags]);
    // The output names paths relative to itself (and hashes them): the temporary copy's are made relative to the repository root.
    const comparable = (text: string) => text.replaceAll(fresh, FILE).replaceAll(`"${path.relative(dir, ROOT)}/`, `"./`).replace(/\(hash: \w+\)/, "(hash)");
    expect(comparable(readFileSync(path.join(ROOT, FILE), "utf8"))).toBe(comparable(readFileSync(fresh, "utf8")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
