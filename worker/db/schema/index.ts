export * from "./accounts";
export * from "./orgs";
export * from "./audit";
export * from "./api-keys";
export * from "./ingest";
export * from "./undeliverable";
export * from "./reports";
export * from "./aws";
