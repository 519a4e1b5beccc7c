// JSON laid out for reading and for line tools (grep, diff): objects one member per line, indented by
// two spaces, but an array of primitives (NAL types, a scaling list) goes on one line, and so does each
// record in an array: an element of a few primitive members (a field location, an issue, a fragment
// without KVS tags), not a parameter set of dozens. The values are those of JSON.stringify.

/** The most members an array element can have and still be written as a one-line record. */
const RECORD_MEMBERS = 8;

/** `value` as JSON text; `indent` is where the lines after the first start. */
export function jsonText(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return compact(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every(isPrimitive)) return compact(value);
    const items = value.map((item: unknown) => jsonItem(item, inner));
    return `[\n${inner}${items.join(`,\n${inner}`)}\n${indent}]`;
  }
  const members = Object.entries(value).filter(([, item]) => item !== undefined && typeof item !== 'function');
  if (members.length === 0) return '{}';
  return `{\n${members.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${jsonText(item, inner)}`).join(',\n')}\n${indent}}`;
}

/** An array element as jsonText writes it, at `indent`: a record on one line, anything else laid out. */
export function jsonItem(item: unknown, indent: string): string {
  return isRecord(item) ? compact(item) : jsonText(item, indent);
}

/** JSON.stringify's text on one line (`null` where it would give nothing, as it does in an array). */
function compact(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** A primitive, or an object or array of a few primitives. */
function isRecord(value: unknown): boolean {
  if (isPrimitive(value)) return true;
  const members = Object.values(value as object);
  return members.length <= RECORD_MEMBERS && members.every(isPrimitive);
}
