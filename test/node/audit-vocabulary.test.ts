import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OPERATION_LABELS, operationOf, RESOURCE_LABELS } from "../../worker/services/audit-vocabulary";

/**
 * Every resource type and operation the Worker writes to the audit log has its words in the vocabulary,
 * so no entry reads as a raw identifier ("Aws connection", "Create"). Read from the writers' source.
 */

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const sources = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith(".ts") ? [path.join(dir, d.name)] : [],
  );
const lines = sources("worker/services").flatMap((f) => readFileSync(path.join(ROOT, f), "utf8").split("\n"));
const quoted = (line: string) => [...line.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]!);

describe("audit vocabulary", () => {
  const resourceTypes = new Set(lines.flatMap((l) => [...l.matchAll(/resourceType: "([a-z_]+)"/g)].map((m) => m[1]!)));
  // `operation: "x"`, `operation: cond ? "x" : "y"`, and a parameter typed `operation: "x" | "y"`.
  const operations = new Set(lines.filter((l) => /\boperation: /.test(l)).flatMap((l) => quoted(l.slice(l.indexOf("operation: ")))));

  it("finds the writers", () => {
    expect(resourceTypes.size).toBeGreaterThan(10);
    expect(operations).toContain("rotate");
    expect(operations).toContain("created");
  });

  it("names every resource type written", () => {
    expect([...resourceTypes].filter((r) => !RESOURCE_LABELS[r])).toEqual([]);
  });

  // The labels' keys are the past-tense operations the API reports.
  it("reports every operation written as one with a label", () => {
    expect([...operations].filter((o) => !OPERATION_LABELS[operationOf(o)])).toEqual([]);
  });
});
