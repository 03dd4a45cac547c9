/**
 * A small block-style YAML writer for JSON-shaped data (templates and snippets; no YAML library in the
 * Worker bundle). A string is written plain only when every YAML 1.1 and 1.2 parser reads it back as
 * that same string; anything else is double-quoted with JSON escapes, which are valid YAML.
 */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };

/** Words YAML 1.1 reads as booleans or null; quoted whatever their case. */
const RESERVED = new Set(["true", "false", "yes", "no", "y", "n", "on", "off", "null", "~"]);
/** Letters first (no indicator or number), then no ": ", " #", quotes, braces, brackets, `*`, `&`, `!`, `|`, `>`, `%`. */
const PLAIN = /^[A-Za-z_][\w.\/:@+=,()-]*( [\w.\/:@+=,()-]+)*$/;

function scalar(v: string | number | boolean | null): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`Cannot write ${v} as YAML.`);
    return String(v);
  }
  const plain = PLAIN.test(v) && !v.endsWith(":") && !v.includes(": ") && !RESERVED.has(v.toLowerCase());
  return plain ? v : JSON.stringify(v);
}

const isCollection = (v: YamlValue): v is readonly YamlValue[] | { readonly [key: string]: YamlValue } => typeof v === "object" && v !== null;
const isEmpty = (v: readonly YamlValue[] | { readonly [key: string]: YamlValue }) => (Array.isArray(v) ? v.length : Object.keys(v).length) === 0;

/** The value on the same line as its key or dash, or null when it needs lines of its own. */
function inline(v: YamlValue): string | null {
  if (!isCollection(v)) return scalar(v);
  return isEmpty(v) ? (Array.isArray(v) ? "[]" : "{}") : null;
}

function lines(v: readonly YamlValue[] | { readonly [key: string]: YamlValue }, indent: number): string[] {
  const pad = " ".repeat(indent);
  const out: string[] = [];
  if (Array.isArray(v)) {
    for (const item of v as readonly YamlValue[]) {
      const one = inline(item);
      if (one !== null) out.push(`${pad}- ${one}`);
      else {
        // A nested block's first line takes the dash; the rest keep its indentation.
        const [first, ...rest] = lines(item as Exclude<YamlValue, string | number | boolean | null>, indent + 2);
        out.push(`${pad}- ${first!.trimStart()}`, ...rest);
      }
    }
    return out;
  }
  for (const [key, value] of Object.entries(v)) {
    const one = inline(value);
    if (one !== null) out.push(`${pad}${scalar(key)}: ${one}`);
    else out.push(`${pad}${scalar(key)}:`, ...lines(value as Exclude<YamlValue, string | number | boolean | null>, indent + 2));
  }
  return out;
}

export function toYaml(value: YamlValue): string {
  const one = inline(value);
  return `${one ?? lines(value as Exclude<YamlValue, string | number | boolean | null>, 0).join("\n")}\n`;
}
