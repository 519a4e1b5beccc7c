// What a PES private data stream (stream_type 0x06) carries when no descriptor says: ffmpeg's M2TS
// mode, for one, writes AAC, MPEG audio and AC-3 that way with only the program's 'HDMV' registration.
import type { ByteSource } from '../byteSource';
import { readAdtsFrameInfo } from '../codecs/aac/adts';
import { readAc3FrameInfo } from '../codecs/ac3/syncFrame';
import { readMpegAudioFrameInfo } from '../codecs/mpegAudio/frameHeader';
import { gatherPes } from './gather';
import type { StreamTypeInfo } from './streamTypes';
import type { MpegTsFile } from './types';

interface FrameProbe {
  /** The frame length of the header at `at`, undefined when there is none. */
  lengthAt(payload: Uint8Array, at: number): number | undefined;
  /** What the stream is, from its first header. */
  identify(payload: Uint8Array): StreamTypeInfo;
}

const PROBES: readonly FrameProbe[] = [
  {
    lengthAt: (payload, at) => readAdtsFrameInfo(payload, at)?.frameLength, // undefined too when frame_length is shorter than the header
    identify: () => ({ codec: 'aac', name: 'AAC audio (ADTS, found in the data)', kind: 'audio' }),
  },
  {
    lengthAt: (payload, at) => readMpegAudioFrameInfo(payload, at)?.frameLength,
    identify: (payload) => (readMpegAudioFrameInfo(payload)?.version === 1
      ? { codec: 'mp1/mp2', name: 'MPEG-1 audio (found in the data)', kind: 'audio' }
      : { codec: 'mp2/mp3', name: 'MPEG-2 audio (found in the data)', kind: 'audio' }),
  },
  {
    lengthAt: (payload, at) => readAc3FrameInfo(payload, at)?.frameLength,
    identify: (payload) => (readAc3FrameInfo(payload)?.enhanced
      ? { codec: 'eac3', name: 'E-AC-3 audio (found in the data)', kind: 'audio' }
      : { codec: 'ac3', name: 'AC-3 audio (found in the data)', kind: 'audio' }),
  },
];

/** Names the codec of each unnamed stream_type 0x06 stream whose first PES is ADTS, MPEG audio or AC-3 frames back to back. */
export function identifyPrivateStreams(source: ByteSource, file: MpegTsFile): void {
  for (const stream of file.streams) {
    if (stream.streamType !== 0x06 || stream.codec !== '') continue;
    let first = -1;
    for (let i = 0; i < file.pes.count && first < 0; i++) if (file.pes.pid[i] === stream.pid) first = i;
    if (first < 0) continue;
    const payload = gatherPes(source, file, first);
    const probe = PROBES.find((candidate) => framesChain(payload, candidate));
    if (probe) Object.assign(stream, probe.identify(payload));
  }
}

/** A header at the start, and another where its frame length says the next frame starts (or the end). */
function framesChain(payload: Uint8Array, probe: FrameProbe): boolean {
  const length = probe.lengthAt(payload, 0) ?? 0;
  if (length <= 0) return false;
  return length === payload.length || (probe.lengthAt(payload, length) ?? 0) > 0;
}
