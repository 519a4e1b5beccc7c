/** ISO 8601 for a Unix-ms time; out-of-range values (bad bytes) are shown as the number, never thrown. */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}
