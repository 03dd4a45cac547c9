import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one error type. The app's error handler renders it as {"error":{"code","message","details"}}. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: ContentfulStatusCode,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (message: string, details: unknown = null) =>
  new AppError("BAD_REQUEST", 400, message, details);
export const validationError = (message: string, details: unknown = null) =>
  new AppError("VALIDATION_FAILED", 422, message, details);
export const unauthorized = (message = "Sign in to continue.") => new AppError("UNAUTHORIZED", 401, message);
export const forbidden = (message = "Your role does not allow this action.", details: unknown = null) =>
  new AppError("FORBIDDEN", 403, message, details);
export const notFound = (what = "Resource") => new AppError("NOT_FOUND", 404, `${what} not found.`);
export const conflict = (message: string, details: unknown = null) => new AppError("CONFLICT", 409, message, details);
export const tooManyRequests = (retryAfterSeconds: number, message = "Too many requests. Try again later.") =>
  new AppError("RATE_LIMITED", 429, message, { retry_after_seconds: retryAfterSeconds }, {
    "Retry-After": String(retryAfterSeconds),
  });

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

export function errorBody(code: string, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details } };
}
