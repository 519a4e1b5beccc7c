// AC-3 and E-AC-3 sync frame headers (ATSC A/52 §5.3 syncinfo and bsi, and Annex E for E-AC-3): what a
// demuxer needs to cut a PES into frames, the frame length and the samples it holds.
import { BitReader } from '../../bits/bitReader';

export interface Ac3FrameInfo {
  /** bsid: up to 10 for AC-3 (9 and 10: half and quarter sample rates), 11 to 16 for E-AC-3. */
  bsid: number;
  enhanced: boolean;
  sampleRate: number;
  /** Full-bandwidth channels plus the LFE channel. */
  channels: number;
  /** Samples per channel in the frame: 1536 for AC-3, 256 per audio block for E-AC-3. */
  samples: number;
  /** Bytes of the frame, header included. */
  frameLength: number;
}

const SAMPLE_RATES = [48000, 44100, 32000];
/** fscod2, for E-AC-3 frames whose fscod is 3. */
const REDUCED_SAMPLE_RATES = [24000, 22050, 16000];
/** frmsizecod / 2 → kbit/s. */
const BITRATES = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640];
/** acmod (audio coding mode; 0 is 1+1 dual mono) → full-bandwidth channels. */
export const AC3_ACMOD_CHANNELS: readonly number[] = [2, 1, 2, 3, 3, 4, 4, 5];
const BLOCKS = [1, 2, 3, 6];

/** The sync frame header at bytes[start]: undefined without the syncword there or for reserved values. */
export function readAc3FrameInfo(bytes: Uint8Array, start = 0): Ac3FrameInfo | undefined {
  if (start + 8 > bytes.length || bytes[start] !== 0x0b || bytes[start + 1] !== 0x77) return undefined;
  const bsid = (bytes[start + 5] ?? 0) >> 3; // at the same place in both syntaxes
  const r = new BitReader(bytes, start + 2, start + 8);
  return bsid <= 10 ? ac3(r, bsid) : bsid <= 16 ? eac3(r, bsid) : undefined;
}

function ac3(r: BitReader, bsid: number): Ac3FrameInfo | undefined {
  r.u(16); // crc1
  const fscod = r.u(2);
  const frmsizecod = r.u(6);
  const bitrate = BITRATES[frmsizecod >> 1];
  const fullRate = SAMPLE_RATES[fscod];
  if (bitrate === undefined || fullRate === undefined) return undefined;
  r.u(5 + 3); // bsid, bsmod
  const acmod = r.u(3);
  if ((acmod & 1) !== 0 && acmod !== 1) r.u(2); // cmixlev
  if ((acmod & 4) !== 0) r.u(2); // surmixlev
  if (acmod === 2) r.u(2); // dsurmod
  const lfeon = r.u(1);
  // 16-bit words: 1536 samples at the bitrate; at 44.1 kHz the odd frmsizecod adds the word the division drops.
  const words = Math.floor((bitrate * 96_000) / fullRate) + (fscod === 1 ? frmsizecod & 1 : 0);
  return {
    bsid, enhanced: false, sampleRate: fullRate >> (Math.max(bsid, 8) - 8), channels: (AC3_ACMOD_CHANNELS[acmod] ?? 0) + lfeon,
    samples: 1536, frameLength: words * 2,
  };
}

function eac3(r: BitReader, bsid: number): Ac3FrameInfo | undefined {
  r.u(2 + 3); // strmtyp, substreamid
  const frmsiz = r.u(11);
  const fscod = r.u(2);
  const reduced = fscod === 3;
  const sampleRate = reduced ? REDUCED_SAMPLE_RATES[r.u(2)] : SAMPLE_RATES[fscod];
  const blocks = reduced ? 6 : (BLOCKS[r.u(2)] ?? 6);
  if (sampleRate === undefined) return undefined;
  const acmod = r.u(3);
  const lfeon = r.u(1);
  return { bsid, enhanced: true, sampleRate, channels: (AC3_ACMOD_CHANNELS[acmod] ?? 0) + lfeon, samples: 256 * blocks, frameLength: (frmsiz + 1) * 2 };
}
