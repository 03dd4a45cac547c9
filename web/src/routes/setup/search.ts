import { SETUP_PHASES, type SetupPhase } from "../../api/setup";

/** `?phase=`: the Setup Guide phase to open; without it the guide opens where the user left off. */
export interface SetupSearch {
  phase?: SetupPhase;
}

export const validateSetupSearch = (raw: Record<string, unknown>): SetupSearch => ({
  phase: (SETUP_PHASES as readonly unknown[]).includes(raw.phase) ? (raw.phase as SetupPhase) : undefined,
});

export const PHASE_LABELS: Record<SetupPhase, string> = {
  aws: "AWS Integration",
  validation: "Connection Validation",
  identities: "Identities",
  test_send: "First Test Send",
};
