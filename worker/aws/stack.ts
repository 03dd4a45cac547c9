/**
 * The SendOps CloudFormation stack (docs/aws.md): the permission catalog and template versions, the
 * template and its JSON/YAML forms, the manual role snippets, and the console links, CLI command,
 * assistant prompt and delegate e-mail built from them. Pure functions: the Worker serves all of it.
 */
export * from "./stack/permissions";
export * from "./stack/template";
export * from "./stack/manual";
export * from "./stack/links";
