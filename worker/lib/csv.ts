/**
 * CSV (RFC 4180) for exports: comma-separated, CRLF line ends, UTF-8. A field is quoted when it holds a
 * comma, a quote, CR or LF, or leading/trailing spaces; quotes inside are doubled. A text field that
 * starts with = + - @ or a tab/CR would run as a formula in a spreadsheet, so it gets a leading `'`
 * (numbers are written as numbers, never guarded).
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** A column: its header and how to read it from a row. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

/**
 * Streams a CSV: the header line, then the rows of each page `pages` yields, read on demand (the next
 * page is fetched only when the client has taken the previous one), so memory stays at one page.
 */
export function csvStream<T>(columns: readonly CsvColumn<T>[], pages: AsyncIterable<readonly T[]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(columns.map((c) => c.header))));
        return;
      }
      // A pull that neither enqueues nor closes is never called again (WHATWG Streams), so the response
      // would hang: skip empty pages until there are rows to send or the pages are done.
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        if (next.value.length) {
          controller.enqueue(encoder.encode(next.value.map((row) => csvLine(columns.map((c) => c.value(row)))).join("")));
          return;
        }
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
