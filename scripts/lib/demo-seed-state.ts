/**
 * The demo seed's progress, kept in a JSON file per target (scripts/lib/demo-seed.ts): which of the
 * planned events the instance has acknowledged, so that an interrupted seed posts each remaining event
 * once and a finished one is never repeated.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./instance";

export interface SeedState {
  orgId: string;
  /** The demo's ingest key (the file is git-ignored and readable only by its owner). */
  ingestKey: string;
  seed: string;
  events: number;
  days: number;
  /** End of the demo period: fixed at the first attempt, so a resumed run regenerates the same events. */
  end: number;
  /** Events from the start that are acknowledged: a resumed run skips them. */
  posted: number;
  /** Later events acknowledged too (requests run concurrently, so they finish out of order): skipped as well. */
  ahead: number[];
  /** Every event posted and stored. */
  done: boolean;
  /** The demo setup last applied (DEMO_SETUP_VERSION); absent in files of earlier versions. */
  setupVersion?: string;
}

/** A local instance's seed state lives with its data: deleting the data directory starts over. */
export const seedStatePath = (persistDir: string) => path.join(persistDir, "demo-seed.json");

/** A deployed instance's seed state, on the operator's machine, one file per instance URL. */
export const remoteSeedStatePath = (url: string) => path.join(ROOT, ".demo-seed", `${new URL(url).host.replace(/[^a-z0-9.-]/gi, "_")}.json`);

export function readSeedState(file: string): SeedState | null {
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, "utf8")) as Omit<SeedState, "ahead"> & { ahead?: number[] };
  return { ...state, ahead: state.ahead ?? [] };
}

/** Written to a temporary file and renamed, so a process killed mid-write leaves the previous state. */
export function writeSeedState(file: string, state: SeedState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Which events of the plan are acknowledged: every one before `prefix`, and those `ahead` of it. */
export class Acknowledged {
  private readonly later: Set<number>;

  constructor(
    public prefix: number,
    ahead: readonly number[] = [],
  ) {
    this.later = new Set(ahead.filter((i) => i >= prefix));
    this.advance();
  }

  has(index: number): boolean {
    return index < this.prefix || this.later.has(index);
  }

  add(index: number): void {
    if (index < this.prefix) return;
    this.later.add(index);
    this.advance();
  }

  get count(): number {
    return this.prefix + this.later.size;
  }

  ahead(): number[] {
    return [...this.later].sort((a, b) => a - b);
  }

  private advance(): void {
    while (this.later.delete(this.prefix)) this.prefix++;
  }
}

/**
 * A local instance's queue lives in wrangler's memory: events acknowledged but not yet consumed when it
 * stopped are gone. A seed resumed after a restart therefore starts this many events before the
 * consumer's progress (ingest ignores the repeats: each event is stored once).
 */
export const RESUME_OVERLAP = 2_000;

/** Where a seed resumes when acknowledged events may be lost: before the first that may not be stored. */
export function resumePoint(posted: number, processed: number): number {
  return Math.max(0, Math.min(posted, processed) - RESUME_OVERLAP);
}
