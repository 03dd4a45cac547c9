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

/** A failure the control API injected: the next `count` calls of `operation` answer this AWS error. */
export interface Fault {
  operation: string;
  code: string;
  status: number;
  message: string;
  count: number;
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
  /** Injected failures per account, in the order they were set (set by the control API). */
  faults: Map<string, Fault[]>;
  /** The fault the call of `operation` for the account must answer with (counting it down), or null. */
  fault: (account: string, operation: string) => Fault | null;
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
