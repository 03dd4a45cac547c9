/** Comparing what message search, message detail and the event log answer from two stores or two orgs. */

/** An answer with the org id and the store's own row ids taken out. */
export const comparable = (orgId: string, value: unknown) =>
  JSON.parse(JSON.stringify(value, (k, v) => (k === "id" && typeof v === "string" && /^\d+$/.test(v) ? "ROW" : v)).split(orgId).join("ORG"));

/** Every page of a list, each store following its own cursors. */
export async function pages<P extends { nextCursor: string | null }>(read: (cursor: string | undefined) => Promise<P>) {
  const out: Omit<P, "nextCursor">[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { nextCursor, ...page } = await read(cursor);
    out.push(page);
    if (!nextCursor) return out;
    cursor = nextCursor;
  }
}
