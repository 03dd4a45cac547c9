import type { Plan } from "../db/schema/orgs";
import { AppError } from "./errors";

/** How long a plan keeps audit entries, events, messages, rejected payloads and ingest counters. */
export const RETENTION_DAYS: Record<Plan, number> = { free: 7, team: 90, business: 365 };

/** Members a plan allows (billing__plans-and-usage.md): members plus pending invitations count. */
export const SEATS: Record<Plan, number> = { free: 1, team: 5, business: 25 };

const PLAN_NAMES: Record<Plan, string> = { free: "Free", team: "Team", business: "Business" };

/** Why an invitation cannot be sent or accepted when the plan's seats are taken (team__members-and-roles.md). */
export function seatLimitMessage(plan: Plan): string {
  if (plan === "free") return "The Free plan supports a single user. To invite additional team members, upgrade to the Team or Business plan.";
  const upgrade = plan === "team" ? "upgrade to the Business plan" : "remove a member or revoke a pending invitation first";
  return `The ${PLAN_NAMES[plan]} plan supports ${SEATS[plan]} users, and all seats are taken. To invite additional team members, ${upgrade}.`;
}

export const seatLimitReached = (plan: Plan) => new AppError("SEAT_LIMIT_REACHED", 409, seatLimitMessage(plan), { plan, seats: SEATS[plan] });
