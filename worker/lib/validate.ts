import { zValidator } from "@hono/zod-validator";
import type { ZodType } from "zod";
import type { $ZodIssue } from "zod/v4/core";
import { validationError } from "./errors";

type Target = "json" | "query" | "param" | "form";

/** The 422 VALIDATION_FAILED error for zod issues, naming each field (`target` when the issue has no path). */
export function validationFailure(target: string, issues: readonly $ZodIssue[]) {
  const fields = issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : target,
    message: i.message,
  }));
  const first = fields[0];
  return validationError(first ? `${first.field}: ${first.message}` : "Invalid input.", { fields });
}

/** zod validation for a request part; failures become 422 VALIDATION_FAILED naming each field. */
export function validate<T extends ZodType, K extends Target>(target: K, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw validationFailure(target, result.error.issues);
  });
}
