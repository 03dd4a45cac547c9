/**
 * The zone data the DNS stand-in answers from: record sets by (name, type), editable through its
 * control routes. Names are compared without case and without the trailing dot, as resolvers do.
 */
export const RECORD_TYPES = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 } as const;
export type RecordType = keyof typeof RECORD_TYPES;
export const isRecordType = (t: string): t is RecordType => Object.hasOwn(RECORD_TYPES, t);

export interface RecordSet {
  name: string;
  type: RecordType;
  /** TXT values unquoted (one string per record); CNAME/MX/A values as written in a zone file, without the trailing dot. */
  values: string[];
}

export const normaliseName = (name: string) => name.trim().toLowerCase().replace(/\.+$/, "");

/** RFC 1035: one CNAME per name and no other data beside it. */
export class DnsRecords {
  private readonly sets = new Map<string, RecordSet>();

  private key = (name: string, type: RecordType) => `${normaliseName(name)}|${type}`;

  /** Replaces the record set (`values` empty: removes it). A CNAME and other types cannot share a name. */
  put(name: string, type: RecordType, values: string[]): RecordSet | null {
    const n = normaliseName(name);
    const cleaned = values.map((v) => (type === "TXT" ? v : normaliseName(v))).filter((v) => v !== "");
    if (cleaned.length === 0) {
      this.sets.delete(this.key(n, type));
      return null;
    }
    if (type === "CNAME" && cleaned.length > 1) throw new Error(`${n} can hold only one CNAME record`);
    const others = [...this.sets.values()].filter((s) => s.name === n && s.type !== type);
    if (type === "CNAME" && others.length) throw new Error(`${n} already has ${others[0]!.type} records; a CNAME cannot sit beside other data`);
    if (type !== "CNAME" && others.some((s) => s.type === "CNAME")) throw new Error(`${n} is a CNAME; it cannot also hold ${type} records`);
    const set = { name: n, type, values: cleaned };
    this.sets.set(this.key(n, type), set);
    return set;
  }

  get(name: string, type: RecordType): RecordSet | undefined {
    return this.sets.get(this.key(name, type));
  }

  /** True when any record exists at the name (so a missing type is NODATA, not NXDOMAIN). */
  hasName(name: string): boolean {
    const n = normaliseName(name);
    return [...this.sets.values()].some((s) => s.name === n);
  }

  list(): RecordSet[] {
    return [...this.sets.values()].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
  }

  clear(): void {
    this.sets.clear();
  }
}
