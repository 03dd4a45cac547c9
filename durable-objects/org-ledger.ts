import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env";

/**
 * One per org (addressed by org id): serialises the org's ingest, dedupes events, keeps the rolling
 * undeliverable windows. The ingest issue fills in its methods.
 */
export class OrgLedger extends DurableObject<Env> {}
