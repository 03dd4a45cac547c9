/** wrangler.toml against the code: every queue it declares is one the Worker actually consumes. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { CONSUMERS } from "../../queues";
import { ROOT } from "../../scripts/lib/instance";

interface Queues {
  producers?: { queue: string }[];
  consumers?: { queue: string; dead_letter_queue?: string }[];
}
const queues = unstable_readConfig({ config: path.join(ROOT, "wrangler.toml") }).queues as Queues;
const consumed = Object.keys(CONSUMERS).sort();

describe("wrangler.toml queues", () => {
  it("declares a consumer for exactly the queues queues/index.ts consumes", () => {
    expect(queues.consumers?.map((c) => c.queue).sort()).toEqual(consumed);
  });

  it("sends and dead-letters only to consumed queues", () => {
    const targets = [...(queues.producers ?? []).map((p) => p.queue), ...(queues.consumers ?? []).flatMap((c) => c.dead_letter_queue ?? [])];
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((q) => !consumed.includes(q))).toEqual([]);
  });
});
