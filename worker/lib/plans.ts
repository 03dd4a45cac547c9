import type { Plan } from "../db/schema/orgs";

/** How long a plan keeps audit entries, events, messages, rejected payloads and ingest counters. */
export const RETENTION_DAYS: Record<Plan, number> = { free: 7, team: 90, business: 365 };
