/**
 * Scheduled maintenance (operator CLI `schedule-maintenance`): `system_infrastructure.scheduled_maintenance`
 * raised in every workspace (the demo's included: its visitors are affected too), once per workspace and
 * window start (the dedupe key), so running the command again announces nothing twice.
 */
import { z } from "zod";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { RaiseFn } from "./raise";

export const maintenanceSchema = z
  .object({
    start: z.iso.datetime({ offset: true, message: "an ISO 8601 date and time, e.g. 2026-07-01T22:00:00Z" }),
    end: z.iso.datetime({ offset: true, message: "an ISO 8601 date and time, e.g. 2026-07-01T23:00:00Z" }),
    message: z.string().trim().min(1, "say what happens").max(500),
  })
  .refine((m) => Date.parse(m.end) > Date.parse(m.start), { message: "must be after --start", path: ["end"] });

const words = (iso: string) => new Date(iso).toISOString().replace("T", " ").replace(/:\d\d\.\d{3}Z$/, " UTC");

export async function scheduleMaintenance(db: Db, raise: RaiseFn, input: z.output<typeof maintenanceSchema>): Promise<{ workspaces: number }> {
  const orgs = await db.all<{ id: string }>(sql`SELECT id FROM orgs ORDER BY id`);
  const start = Date.parse(input.start);
  for (const { id } of orgs) {
    await raise({
      orgId: id,
      type: "system_infrastructure.scheduled_maintenance",
      params: { start: words(input.start), end: words(input.end), message: input.message },
      payload: { start, end: Date.parse(input.end) },
      dedupeKey: `${id}:scheduled_maintenance:${start}`,
    });
  }
  return { workspaces: orgs.length };
}
