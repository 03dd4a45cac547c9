import { useEffect, useRef, useState } from "react";
import { downloadExport, type ExportProgress, type ExportView } from "../../api/reports";
import { errorMessage } from "../../api/client";
import { formatBytes, formatCount } from "../../lib/format";
import { useToast } from "../toast";
import { ChevronDownIcon, DownloadIcon, XIcon } from "../icons";

export interface ExportChoice {
  view: ExportView;
  label: string;
}

/** Saves a Blob as a file through a temporary object URL. */
function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Export CSV of what the page shows. The server streams the file; rows and bytes are counted as they
 * arrive (shown while it runs, cancellable), then the browser saves it. One choice = a plain button;
 * several (e.g. providers or bounce reasons) = a small menu.
 */
export function ExportButton({
  orgId,
  choices,
  query,
}: {
  orgId: string;
  choices: readonly ExportChoice[];
  /** The filters of the current view, resolved when the export starts. */
  query: (view: ExportView) => Record<string, string | number | undefined>;
}) {
  const notify = useToast();
  const [menuOpen, setMenuOpen] = useState(false);
  const [running, setRunning] = useState<{ label: string; progress: ExportProgress } | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    if (!menuOpen) return;
    const onDown = (e: MouseEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setMenuOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setMenuOpen(false);
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [menuOpen]);

  const start = async (choice: ExportChoice) => {
    setMenuOpen(false);
    const abort = new AbortController();
    abortRef.current = abort;
    setRunning({ label: choice.label, progress: { rows: 0, bytes: 0, totalBytes: null } });
    try {
      const { blob, filename, rows } = await downloadExport(
        orgId,
        { view: choice.view, ...query(choice.view) },
        (progress) => setRunning({ label: choice.label, progress }),
        abort.signal,
      );
      saveBlob(blob, filename);
      notify(`Exported ${formatCount(rows)} ${rows === 1 ? "row" : "rows"} (${formatBytes(blob.size)})`);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === "AbortError")) notify(`Export failed: ${errorMessage(err)}`, "error");
    } finally {
      abortRef.current = null;
      setRunning(null);
    }
  };

  if (running) {
    const { rows, bytes, totalBytes } = running.progress;
    return (
      <div className="export-progress" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" />
        <span>
          Exporting {running.label.toLowerCase()}… <strong>{formatCount(rows)}</strong> rows · {formatBytes(bytes)}
          {totalBytes !== null && ` of ${formatBytes(totalBytes)}`}
        </span>
        {totalBytes !== null && <progress max={totalBytes} value={bytes} aria-label="Export progress" />}
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => abortRef.current?.abort()} aria-label="Cancel export">
          <XIcon />
        </button>
      </div>
    );
  }

  if (choices.length === 1) {
    return (
      <button type="button" className="btn" onClick={() => void start(choices[0]!)}>
        <DownloadIcon />
        Export CSV
      </button>
    );
  }

  return (
    <div className="export-menu" ref={rootRef}>
      <button type="button" className="btn" aria-haspopup="menu" aria-expanded={menuOpen} onClick={() => setMenuOpen((o) => !o)}>
        <DownloadIcon />
        Export CSV
        <ChevronDownIcon />
      </button>
      {menuOpen && (
        <ul className="menu export-menu-list" role="menu">
          {choices.map((c) => (
            <li key={c.view} role="none">
              <button type="button" role="menuitem" className="menu-item" onClick={() => void start(c)}>
                {c.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
