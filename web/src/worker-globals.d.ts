/**
 * The dashboard imports the API's types straight from worker/ (never redeclares them). Type-checking
 * those files here needs the Cloudflare runtime names they mention; they come from the importable build
 * of @cloudflare/workers-types so they do not clash with the DOM library.
 */
declare global {
  type D1Database = import("@cloudflare/workers-types").D1Database;
  type R2Bucket = import("@cloudflare/workers-types").R2Bucket;
  type Fetcher = import("@cloudflare/workers-types").Fetcher;
  type Queue<Body = unknown> = import("@cloudflare/workers-types").Queue<Body>;
  type DurableObjectNamespace = import("@cloudflare/workers-types").DurableObjectNamespace;
  type AnalyticsEngineDataset = import("@cloudflare/workers-types").AnalyticsEngineDataset;
}
export {};
