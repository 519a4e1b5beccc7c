/** bytes[start, end) as lowercase hex, two digits a byte. */
export function hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

/** The bytes as lowercase hex, a space between bytes: "12 10 56 e5". */
export function spacedHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
