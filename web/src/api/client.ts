/**
 * The one way the dashboard talks to the Worker: same-origin fetch with the session cookie, JSON in and
 * out, and every `{"error":{"code","message","details"}}` body turned into an ApiError.
 */

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  /** Messages per field name (first one wins), from `details.fields` of a validation error. */
  readonly fieldErrors: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = "ApiError";
    this.fieldErrors = {};
    for (const f of fieldsOf(details)) this.fieldErrors[f.field] ??= f.message;
  }

  /** True when the request failed because nobody (or no longer anybody) is signed in. */
  get isUnauthenticated(): boolean {
    return this.status === 401 && (this.code === "UNAUTHORIZED" || this.code === "SESSION_EXPIRED");
  }
}

function fieldsOf(details: unknown): FieldError[] {
  if (typeof details !== "object" || details === null || !("fields" in details)) return [];
  const fields = (details as { fields: unknown }).fields;
  if (!Array.isArray(fields)) return [];
  return fields.filter(
    (f): f is FieldError => typeof f === "object" && f !== null && typeof f.field === "string" && typeof f.message === "string",
  );
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  method?: Method;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as-is (e.g. an image file) with its own content type. */
  body?: Blob;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  const headers: Record<string, string> = { accept: "application/json" };
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  } else if (opts.body) {
    headers["content-type"] = opts.body.type || "application/octet-stream";
    body = opts.body;
  }

  let res: Response;
  try {
    res = await fetch(url, { method: opts.method ?? "GET", headers, body, credentials: "same-origin", signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK", "Could not reach SendOps. Check your connection and try again.");
  }

  const text = await res.text();
  const data: unknown = text ? safeJson(text) : null;
  if (!res.ok) {
    const e = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    throw new ApiError(
      res.status,
      typeof e?.code === "string" ? e.code : "HTTP_ERROR",
      typeof e?.message === "string" ? e.message : `Request failed (${res.status}).`,
      e?.details ?? null,
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A readable message for any error thrown by a query or mutation. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return "Something went wrong.";
}
