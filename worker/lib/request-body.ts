/** The request's Content-Length, or null when it has none (a chunked body) or an unreadable one. */
export function declaredLength(req: Request): number | null {
  const value = req.headers.get("content-length");
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * Reads and drops what is left of the request body, up to `maxBytes`, then cancels the rest. workerd
 * answers on a connection only once the request body was read to its end (it waits for just 64 KiB
 * more, then closes, and the client sees a reset instead of the answer) and refuses reads after the
 * answer, so this runs before answering. A client waiting for `100 Continue` before sending a body no
 * one has read yet is never invited to send it: nothing to drop.
 */
export async function discardUnreadBody(req: Request, maxBytes: number): Promise<void> {
  if (!req.body || req.body.locked) return;
  if (!req.bodyUsed && /100-continue/i.test(req.headers.get("expect") ?? "")) return;
  const reader = req.body.getReader();
  let seen = 0;
  try {
    while (seen <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.length;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to answer on.
  }
}
