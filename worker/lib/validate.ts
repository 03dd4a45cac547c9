import { zValidator } from "@hono/zod-validator";
import type { ZodType } from "zod";
import { validationError } from "./errors";

type Target = "json" | "query" | "param" | "form";

/** zod validation for a request part; failures become 422 VALIDATION_FAILED naming each field. */
export function validate<T extends ZodType, K extends Target>(target: K, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const fields = result.error.issues.map((i) => ({
        field: i.path.length ? i.path.join(".") : target,
        message: i.message,
      }));
      const first = fields[0];
      throw validationError(first ? `${first.field}: ${first.message}` : "Invalid input.", { fields });
    }
  });
}
