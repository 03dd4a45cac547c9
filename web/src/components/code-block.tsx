import { CopyButton } from "./ingest/copy-button";

/** Read-only code (a policy snippet, a prompt) with a Copy button; long lines scroll unless `wrap` (prose-like text). */
export function CodeBlock({ code, what, label, wrap }: { code: string; what: string; label?: string; wrap?: boolean }) {
  return (
    <div className={`code-block${wrap ? " code-block-wrap" : ""}`}>
      <div className="code-block-bar">
        <span className="code-block-label">{label ?? what}</span>
        <CopyButton text={code} what={what} className="btn btn-sm" />
      </div>
      <pre tabIndex={0} aria-label={label ?? what}>
        <code>{code}</code>
      </pre>
    </div>
  );
}
