/** Element types of RFC 8794. */
export type EbmlType = 'master' | 'uinteger' | 'integer' | 'float' | 'string' | 'utf-8' | 'date' | 'binary';

/** One row of a generated element table (see scripts/generate-matroska-table.mjs). */
export interface ElementSpecRow {
  readonly id: number;
  readonly name: string;
  readonly type: EbmlType;
  /** Schema path, e.g. `\Segment\Cluster\SimpleBlock`; `+` marks a recursive element. */
  readonly path: string;
  /** The id of the parent element; null for root and global elements. */
  readonly parentId: number | null;
  /** Value of an empty (zero-length) element. */
  readonly default?: number | string;
  /** Required data length in bytes. */
  readonly length?: number;
  /** The value must not be 0, so an empty element is invalid. */
  readonly notZero?: boolean;
  readonly unknownSizeAllowed?: boolean;
  /** May contain itself (ChapterAtom, SimpleTag). */
  readonly recursive?: boolean;
  /** May appear in any master (Void, CRC-32). */
  readonly global?: boolean;
}

export interface ElementSpec extends ElementSpecRow {
  readonly parent: ElementSpec | undefined;
  /** 0 for root elements (EBML, Segment), 1 for their children, …; -1 for global elements. */
  readonly depth: number;
}

export interface EbmlSchema {
  get(id: number): ElementSpec | undefined;
  /** 4-byte ids of root and top-level elements, used to find the next element after damaged bytes. */
  readonly syncIds: ReadonlySet<number>;
}

export function createSchema(rows: readonly ElementSpecRow[]): EbmlSchema {
  const rowsById = new Map<number, ElementSpecRow>();
  for (const row of rows) rowsById.set(row.id, row);
  const specs = new Map<number, ElementSpec>();

  const specOf = (row: ElementSpecRow, seen: number): ElementSpec => {
    const known = specs.get(row.id);
    if (known) return known;
    const parentRow = row.parentId === null ? undefined : rowsById.get(row.parentId);
    // The seen counter guards against a cyclic table.
    const parent = parentRow && seen < 64 ? specOf(parentRow, seen + 1) : undefined;
    const depth = row.global ? -1 : parent ? parent.depth + 1 : 0;
    // Every spec gets every field, so all specs share one object shape: the walker reads them for
    // every element, and property reads over many shapes are slow (megamorphic).
    const spec: ElementSpec = {
      id: row.id,
      name: row.name,
      type: row.type,
      path: row.path,
      parentId: row.parentId,
      default: row.default,
      length: row.length,
      notZero: row.notZero,
      unknownSizeAllowed: row.unknownSizeAllowed,
      recursive: row.recursive,
      global: row.global,
      parent,
      depth,
    };
    specs.set(row.id, spec);
    return spec;
  };
  for (const row of rows) specOf(row, 0);

  const syncIds = new Set<number>();
  for (const spec of specs.values()) {
    if (spec.depth >= 0 && spec.depth <= 1 && spec.id > 0xffffff) syncIds.add(spec.id);
  }
  return { get: (id) => specs.get(id), syncIds };
}

/**
 * Whether an element may sit (at any depth) inside an open master, per the schema. Elements the
 * schema does not know are assumed to belong where they are found.
 */
export function mayContain(master: ElementSpec | undefined, element: ElementSpec | undefined): boolean {
  if (!master || !element || element.global) return true;
  if (element.recursive && element.id === master.id) return true;
  for (let parent = element.parent; parent; parent = parent.parent) {
    if (parent.id === master.id) return true;
  }
  return false;
}
