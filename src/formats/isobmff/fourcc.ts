// Box types as 32-bit numbers: the walker reads, compares and looks them up without making a string per
// box (see boxType in registry.ts: one string per type, shared by all its boxes).

/** The big-endian unsigned 32-bit number at bytes[at] (a box size, a type's code); 0 for bytes past the end. */
export function u32At(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

/** The four bytes at `at` as a big-endian 32-bit number ('moof' → 0x6d6f6f66). */
export const fourccCode = u32At;

/** The 32-bit number of a four-character type. */
export function fourccCodeOf(type: string): number {
  return ((type.charCodeAt(0) << 24) | (type.charCodeAt(1) << 16) | (type.charCodeAt(2) << 8) | type.charCodeAt(3)) >>> 0;
}

/** The four characters of a code. */
export function fourccName(code: number): string {
  return String.fromCharCode(code >>> 24, (code >>> 16) & 0xff, (code >>> 8) & 0xff, code & 0xff);
}

/** True when a 4CC is printable ASCII (a garbage type usually means we lost the box grid). */
export function isPrintableFourccCode(code: number): boolean {
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (code >>> shift) & 0xff;
    if ((c < 0x20 || c > 0x7e) && c !== 0xa9) return false; // © starts iTunes metadata types
  }
  return true;
}
