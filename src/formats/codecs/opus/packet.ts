// The table-of-contents byte that opens every Opus packet (RFC 6716 §3.1): how long the packet plays.

/** Samples per frame at 48 kHz for each TOC config (RFC 6716 Table 2): SILK 0–11, hybrid 12–15, CELT 16–31. */
const SILK_SAMPLES = [480, 960, 1920, 2880];
const HYBRID_SAMPLES = [480, 960];
const CELT_SAMPLES = [120, 240, 480, 960];

function samplesPerFrame(config: number): number {
  if (config < 12) return SILK_SAMPLES[config % 4] ?? 0;
  if (config < 16) return HYBRID_SAMPLES[config % 2] ?? 0;
  return CELT_SAMPLES[config % 4] ?? 0;
}

/**
 * The samples (at 48 kHz) of the Opus packet at bytes[start..end): its frame duration times its frame
 * count (code c: 1, 2, 2, or the count byte's M for code 3). Undefined for an empty packet (a DTX gap has
 * no TOC) or a code 3 packet without its count byte.
 */
export function opusPacketSamples(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  const toc = bytes[start] ?? 0;
  const code = toc & 0x03;
  let frames = code === 0 ? 1 : 2;
  if (code === 3) {
    if (start + 1 >= end) return undefined;
    frames = (bytes[start + 1] ?? 0) & 0x3f;
  }
  return samplesPerFrame(toc >> 3) * frames;
}
