import { CopyButton } from "./copy-button";

/** A raw body as text: pretty-printed when it is JSON, verbatim otherwise. */
export function prettyBody(body: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(body), null, 2), json: true };
  } catch {
    return { text: body, json: false };
  }
}

/** One line of a body for a table cell. */
export const bodyPreview = (body: string, max = 120) => {
  const line = body.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
};

/** A stored body with its label and a copy button. */
export function PayloadBlock({ label, text, what }: { label: string; text: string; what: string }) {
  return (
    <div className="payload">
      <div className="payload-head">
        <strong>{label}</strong>
        <CopyButton text={text} what={what} className="btn btn-sm" />
      </div>
      <pre className="payload-body" tabIndex={0} aria-label={label}>
        {text}
      </pre>
    </div>
  );
}
