// What a PES private data stream (stream_type 0x06) carries when no descriptor says: ffmpeg's M2TS
// mode, for one, writes AAC (ADTS or LATM), MPEG audio and AC-3 that way with only the program's 'HDMV'
// registration.
import type { ByteSource } from '../byteSource';
import { readAc3FrameInfo } from '../codecs/ac3/syncFrame';
import { ac3FrameLengthAt, adtsFrameLengthAt, headersChainAt, loasFrameLengthAt, mpegAudioFrameLengthAt, type FrameLengthAt } from '../codecs/audioFrameLength';
import { readMpegAudioFrameInfo } from '../codecs/mpegAudio/frameHeader';
import { gatherPes } from './gather';
import type { StreamTypeInfo } from './streamTypes';
import type { MpegTsFile } from './types';

interface FrameProbe {
  lengthAt: FrameLengthAt;
  /** What the stream is, from its first header. */
  identify(payload: Uint8Array): StreamTypeInfo;
}

const PROBES: readonly FrameProbe[] = [
  {
    lengthAt: adtsFrameLengthAt,
    identify: () => ({ codec: 'aac', name: 'AAC audio (ADTS, found in the data)', kind: 'audio' }),
  },
  {
    lengthAt: loasFrameLengthAt,
    identify: () => ({ codec: 'aac_latm', name: 'AAC audio (LATM, found in the data)', kind: 'audio' }),
  },
  {
    lengthAt: mpegAudioFrameLengthAt,
    identify: (payload) => (readMpegAudioFrameInfo(payload)?.version === 1
      ? { codec: 'mp1/mp2', name: 'MPEG-1 audio (found in the data)', kind: 'audio' }
      : { codec: 'mp2/mp3', name: 'MPEG-2 audio (found in the data)', kind: 'audio' }),
  },
  {
    lengthAt: ac3FrameLengthAt,
    identify: (payload) => (readAc3FrameInfo(payload)?.enhanced
      ? { codec: 'eac3', name: 'E-AC-3 audio (found in the data)', kind: 'audio' }
      : { codec: 'ac3', name: 'AC-3 audio (found in the data)', kind: 'audio' }),
  },
];

/** Names the codec of each unnamed stream_type 0x06 stream whose first PES is ADTS, LOAS, MPEG audio or AC-3 frames back to back. */
export function identifyPrivateStreams(source: ByteSource, file: MpegTsFile): void {
  for (const stream of file.streams) {
    if (stream.streamType !== 0x06 || stream.codec !== '') continue;
    let first = -1;
    for (let i = 0; i < file.pes.count && first < 0; i++) if (file.pes.pid[i] === stream.pid) first = i;
    if (first < 0) continue;
    const payload = gatherPes(source, file, first);
    const probe = PROBES.find((candidate) => headersChainAt(payload, 0, candidate.lengthAt));
    if (probe) Object.assign(stream, probe.identify(payload));
  }
}
