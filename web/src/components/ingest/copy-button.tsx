import { useToast } from "../toast";
import { CopyIcon } from "../icons";

/** Copies `text` to the clipboard and says so; a refused clipboard (no permission, plain http) says that instead. */
export function CopyButton({ text, what, className = "btn" }: { text: string; what: string; className?: string }) {
  const notify = useToast();
  const copy = () =>
    navigator.clipboard
      .writeText(text)
      .then(() => notify(`Copied the ${what}.`))
      .catch(() => notify(`The browser did not allow copying; select the ${what} and copy it by hand.`, "error"));
  return (
    <button type="button" className={className} onClick={() => void copy()} aria-label={`Copy the ${what}`}>
      <CopyIcon size={14} />
      Copy
    </button>
  );
}
