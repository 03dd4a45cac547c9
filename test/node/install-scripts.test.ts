/**
 * `npm install` (npm 11) warns about every dependency with an install script that package.json's
 * allowScripts does not decide on. The lockfile marks those packages (`hasInstallScript`): each needs
 * an entry, so a fresh install prints no such warning.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/instance";

const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));
const pkg = read("package.json") as { allowScripts?: Record<string, boolean> };
const lock = read("package-lock.json") as { packages: Record<string, { hasInstallScript?: boolean; version?: string }> };

it("allowScripts decides on every locked package that has an install script", () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([where, p]) => ({ name: where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length), version: p.version }));
  expect(withScripts.map((p) => p.name)).toContain("workerd");
  const decided = (name: string, version?: string) =>
    typeof pkg.allowScripts?.[name] === "boolean" || typeof pkg.allowScripts?.[`${name}@${version}`] === "boolean";
  expect(withScripts.filter((p) => !decided(p.name, p.version))).toEqual([]);
});
