/** MPEG-2 transport streams: packets, PSI, PES timing and payload ranges, continuity and PCR. */
export { detectPacketSize, findLaterPacketSync, findPacketSync, readMpegTs } from './readMpegTs';
export type { MpegTsFile, MpegTsOptions, PidInfo, PidKind, TsProgram, TsStream } from './types';
export { gatherPes, gatherSpan, pesByteOffset, pesIndexesOf, pesSpan, SpanCursor, spanByteOffset, type PayloadSpan } from './gather';
export {
  PES_CC_ERROR, PES_DISCONTINUITY, PES_HAS_DTS, PES_INVALID, PES_RANDOM_ACCESS, PES_TRUNCATED,
  type PayloadRanges, type PcrTable, type PesTable,
} from './tables';
export { streamTypeInfo, type StreamKind, type StreamTypeInfo } from './streamTypes';
export type { Descriptor, Pat, PatEntry, Pmt, PmtStream } from './psi';
export { crc32Mpeg2 } from './crc32';
export { readTimestamp } from './pes';
