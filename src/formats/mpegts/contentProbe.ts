// What a PES private data stream (stream_type 0x06) carries when no descriptor says: ffmpeg's M2TS
// mode, for one, writes AAC that way with only the program's 'HDMV' registration.
import type { ByteSource } from '../byteSource';
import { readAdtsFrameInfo } from '../codecs/aac/adts';
import { gatherPes } from './gather';
import type { MpegTsFile } from './types';

/** Names the codec of each unnamed stream_type 0x06 stream whose first PES is ADTS frames back to back. */
export function identifyPrivateStreams(source: ByteSource, file: MpegTsFile): void {
  for (const stream of file.streams) {
    if (stream.streamType !== 0x06 || stream.codec !== '') continue;
    let first = -1;
    for (let i = 0; i < file.pes.count && first < 0; i++) if (file.pes.pid[i] === stream.pid) first = i;
    if (first >= 0 && isAdts(gatherPes(source, file, first))) Object.assign(stream, { codec: 'aac', name: 'AAC audio (ADTS, found in the data)', kind: 'audio' });
  }
}

/** An ADTS header at the start, and another where its frame_length says the next frame starts (or the end). */
function isAdts(payload: Uint8Array): boolean {
  const frame = readAdtsFrameInfo(payload, 0); // undefined too when frame_length is shorter than the header
  if (!frame) return false;
  return frame.frameLength === payload.length || readAdtsFrameInfo(payload, frame.frameLength) !== undefined;
}
