import { defineBox } from './define';

// The FLACSpecificBox of the 'fLaC' sample entry (Xiph.Org, "Encapsulation of FLAC in ISO Base Media File
// Format"): a FullBox of FLAC metadata blocks, STREAMINFO first (RFC 9639 §8.2). The sample entry's 16.16
// samplerate cannot hold rates above 65535 Hz (ffmpeg writes 0 for 96 kHz): STREAMINFO says the rate,
// the channels and the bits per sample.

export interface FlacSpecificFields {
  /** From STREAMINFO; undefined when the first block is not a whole STREAMINFO. */
  streamInfo?: { sampleRate: number; channelCount: number; bitsPerSample: number };
}

const STREAMINFO = 0;
const STREAMINFO_BYTES = 34;

export const dfLa = defineBox({
  type: 'dfLa',
  name: 'FLACSpecificBox',
  full: true,
  parse(r): FlacSpecificFields {
    if (r.remaining() < 4) return {};
    const header = r.u32();
    r.split(header, 32, [['LastMetadataBlockFlag', 1], ['BlockType', 7], ['Length', 24]]);
    if (((header >>> 24) & 0x7f) !== STREAMINFO || (header & 0xffffff) < STREAMINFO_BYTES || r.remaining() < STREAMINFO_BYTES) return {};
    r.u16('minimum_block_size');
    r.u16('maximum_block_size');
    r.u24('minimum_frame_size');
    r.u24('maximum_frame_size');
    const word = r.u32();
    r.split(word, 32, [['sample_rate', 20], ['channels_minus_1', 3], ['bits_per_sample_minus_1', 5], ['total_samples_high', 4]]);
    r.u32('total_samples_low');
    r.skip(16, 'md5_signature');
    return { streamInfo: { sampleRate: word >>> 12, channelCount: ((word >>> 9) & 7) + 1, bitsPerSample: ((word >>> 4) & 0x1f) + 1 } };
  },
});
