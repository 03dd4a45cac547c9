/**
 * The Setup Guide's progress per workspace: each phase's completion (recorded by the service that
 * completes it: a validated connection, a passed validation run, Continue on Identities, a confirmed
 * test delivery) and the phase the user last opened, so the guide resumes there.
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Db } from "../../db/client";
import { findSetupProgress, PHASE_COLUMNS, upsertSetupProgressQuery, type SetupProgressRow } from "../../db/setup";
import { SETUP_PHASES, type SetupPhase, type SetupProgressView } from "./views";

export const updateProgressSchema = z
  .object({
    currentPhase: z.enum(SETUP_PHASES).optional(),
    complete: z.literal("identities", { message: "Only the Identities phase is completed by hand; the others complete themselves." }).optional(),
  })
  .refine((v) => v.currentPhase !== undefined || v.complete !== undefined, { message: "Give currentPhase or complete." });

/** The statement that records `phase` as completed at `at` (kept if it already was). */
export const completePhaseQuery = (db: Db, orgId: string, phase: SetupPhase, at: number) =>
  upsertSetupProgressQuery(db, orgId, { complete: PHASE_COLUMNS[phase] }, at);

function viewOf(row: SetupProgressRow | undefined): SetupProgressView {
  const phases = SETUP_PHASES.map((id) => ({ id, completedAt: row?.[PHASE_COLUMNS[id]] ?? null }));
  const completed = phases.filter((p) => p.completedAt !== null).length;
  const saved = SETUP_PHASES.find((p) => p === row?.currentPhase);
  return {
    phases,
    completed,
    done: completed === SETUP_PHASES.length,
    currentPhase: saved ?? phases.find((p) => p.completedAt === null)?.id ?? "test_send",
  };
}

/** The demo workspace shows a finished setup (its sample connection): every phase complete. */
const demoProgress = (at: number): SetupProgressView => ({
  phases: SETUP_PHASES.map((id) => ({ id, completedAt: at })),
  completed: SETUP_PHASES.length,
  done: true,
  currentPhase: "aws",
});

export async function getSetupProgress(db: Db, org: Pick<OrgContext, "orgId" | "isDemo">, at = Date.now()): Promise<SetupProgressView> {
  if (org.isDemo) return demoProgress(at);
  return viewOf(await findSetupProgress(db, org.orgId));
}

export async function updateSetupProgress(db: Db, org: OrgContext, input: z.infer<typeof updateProgressSchema>, at = Date.now()) {
  await upsertSetupProgressQuery(db, org.orgId, { currentPhase: input.currentPhase, complete: input.complete && PHASE_COLUMNS[input.complete] }, at);
  return getSetupProgress(db, org);
}
