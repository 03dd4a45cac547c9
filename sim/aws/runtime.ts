/** What every service module works with: the state, the clock, the callers, and the per-account counters. */
import type { AwsSimConfig } from "./config";
import type { Caller, Principals } from "./iam";
import type { RegionState, World } from "./state";
import type { PageTokens } from "./wire";

export interface Stats {
  assumeRole: number;
  ses: Record<string, number>;
  events: Record<string, number>;
  cloudformation: Record<string, number>;
}

export interface Runtime {
  config: AwsSimConfig;
  world: World;
  principals: Principals;
  tokens: PageTokens;
  now: () => number;
  /** The DNS-over-HTTPS resolver SES's DKIM verification reads (null: domains verify by time). */
  dnsResolverUrl: string | null;
  stats: (account: string) => Stats;
  /** Calls still to be throttled, per account (set by the control API). */
  throttles: Map<string, number>;
  /** True (and counts one down) while a throttle is set for the account. */
  throttled: (account: string) => boolean;
  /** Puts an event on the account + region's default bus (SES publishes through here). */
  publish: (state: RegionState, event: Record<string, unknown>) => void;
}

/** One signed request: who, where from, which region. */
export interface Call {
  caller: Caller;
  region: string;
  sourceIp: string;
  /** The stand-in's base URL as the caller reached it (links SES mails point there). */
  endpoint: string;
}
