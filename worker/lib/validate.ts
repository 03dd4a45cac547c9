import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import type { ZodType } from "zod";
import type { $ZodIssue } from "zod/v4/core";
import { AppError, validationError } from "./errors";

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

// In unicode mode a surrogate pair is one code point, so this matches only a lone (unpaired) surrogate.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The path of the first string (value or object key) in `value` that is not well-formed UTF-16, or null. */
function illFormedTextPath(value: unknown, path: readonly (string | number)[] = []): (string | number)[] | null {
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? [...path] : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = illFormedTextPath(item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = LONE_SURROGATE.test(key) ? [...path, key] : illFormedTextPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Hono's json validator reads a body of any other type as `{}`, which a schema of optional fields then
 * accepts; a body must say it is JSON. (It also keeps cross-site "simple" form and text posts out.)
 */
function requireJsonBody(c: Context) {
  if (c.req.raw.body === null || c.req.header("content-length") === "0") return;
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", 415, "Send the request body as JSON (Content-Type: application/json).", {
      contentType: mediaType || null,
    });
  }
}

/**
 * zod validation for a request part; failures become 422 VALIDATION_FAILED naming each field. Text that
 * is not well-formed Unicode (a lone surrogate from a `\ud800` escape) is refused the same way, before
 * it can reach a name or the audit log. A JSON body must be declared as JSON (415 otherwise).
 */
export function validate<T extends ZodType, K extends Target>(target: K, schema: T) {
  const validator = zValidator(target, schema, (result) => {
    const badPath = illFormedTextPath(result.data);
    if (badPath) {
      const message = "Text must be valid Unicode (it holds an unpaired surrogate).";
      const field = badPath.length ? badPath.join(".") : target;
      throw validationError(`${field}: ${message}`, { fields: [{ field, message }] });
    }
    if (!result.success) throw validationFailure(target, result.error.issues);
  });
  if (target !== "json") return validator;
  const jsonValidator: typeof validator = async (c, next) => {
    requireJsonBody(c);
    return validator(c, next);
  };
  return jsonValidator;
}
