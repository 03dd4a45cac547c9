/**
 * The dashboard imports the API's types straight from worker/ (never redeclares them), so the worker
 * files those imports reach are type-checked here as well. They name Cloudflare runtime types; these
 * come from the importable build of @cloudflare/workers-types, aliased one by one, because the ambient
 * build would merge Workers' versions of DOM names (Element, Response, …) into the browser's.
 * A worker file that starts using another runtime type reachable from web/ needs one line here.
 */

declare global {
  type D1Database = import("@cloudflare/workers-types").D1Database;
  type D1PreparedStatement = import("@cloudflare/workers-types").D1PreparedStatement;
  type D1Result<T = unknown> = import("@cloudflare/workers-types").D1Result<T>;
  type R2Bucket = import("@cloudflare/workers-types").R2Bucket;
  type R2Object = import("@cloudflare/workers-types").R2Object;
  type R2ObjectBody = import("@cloudflare/workers-types").R2ObjectBody;
  type KVNamespace = import("@cloudflare/workers-types").KVNamespace;
  type Fetcher = import("@cloudflare/workers-types").Fetcher;
  type Queue<Body = unknown> = import("@cloudflare/workers-types").Queue<Body>;
  type MessageBatch<Body = unknown> = import("@cloudflare/workers-types").MessageBatch<Body>;
  type Message<Body = unknown> = import("@cloudflare/workers-types").Message<Body>;
  type ExecutionContext = import("@cloudflare/workers-types").ExecutionContext;
  type ScheduledController = import("@cloudflare/workers-types").ScheduledController;
  type AnalyticsEngineDataset = import("@cloudflare/workers-types").AnalyticsEngineDataset;
  type DurableObjectNamespace<T = undefined> = import("@cloudflare/workers-types").DurableObjectNamespace<T>;
  type DurableObjectState = import("@cloudflare/workers-types").DurableObjectState;
  type DurableObjectStorage = import("@cloudflare/workers-types").DurableObjectStorage;
  type DurableObjectStub<T = undefined> = import("@cloudflare/workers-types").DurableObjectStub<T>;
  type DurableObjectId = import("@cloudflare/workers-types").DurableObjectId;
  type SqlStorage = import("@cloudflare/workers-types").SqlStorage;
  type SqlStorageValue = import("@cloudflare/workers-types").SqlStorageValue;

  /**
   * The Worker's bindings and vars are generated into worker-configuration.d.ts, which types each
   * Durable Object namespace by importing the Worker's entry: including it here would type-check the
   * whole Worker (routes, queues, Durable Objects) against the browser's DOM types. The dashboard only
   * reads the API's declared types, so it sees the same names, from the Worker's environment check,
   * loosely typed.
   */
  namespace Cloudflare {
    interface Env extends Record<Exclude<import("../../worker/env").CheckedEnvName, keyof import("../../worker/env").EnvSecrets>, any> {}
  }
}

/** The part of the runtime module the worker's Durable Object classes use. */
declare module "cloudflare:workers" {
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}

export {};
