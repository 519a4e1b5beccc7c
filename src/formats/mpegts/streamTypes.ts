/** stream_type values of ISO/IEC 13818-1 Table 2-34 and common registered/private uses. */
export type StreamKind = 'video' | 'audio' | 'subtitle' | 'data' | 'other';

export interface StreamTypeInfo {
  /** Short codec id ('h264', 'hevc', 'aac'); '' when the stream type alone does not say. */
  codec: string;
  name: string;
  kind: StreamKind;
  /** Carried in sections rather than PES packets. */
  sections?: boolean;
}

const TYPES: Record<number, StreamTypeInfo> = {
  0x01: { codec: 'mpeg1video', name: 'MPEG-1 video', kind: 'video' },
  0x02: { codec: 'mpeg2video', name: 'MPEG-2 video', kind: 'video' },
  0x03: { codec: 'mp1/mp2', name: 'MPEG-1 audio', kind: 'audio' },
  0x04: { codec: 'mp2/mp3', name: 'MPEG-2 audio', kind: 'audio' },
  0x05: { codec: '', name: 'private sections', kind: 'data', sections: true },
  0x06: { codec: '', name: 'PES private data', kind: 'other' },
  0x07: { codec: 'mheg', name: 'MHEG', kind: 'data' },
  0x08: { codec: '', name: 'DSM-CC (H.222.0 Annex A)', kind: 'data' },
  0x0a: { codec: '', name: 'DSM-CC multiprotocol encapsulation', kind: 'data', sections: true },
  0x0b: { codec: '', name: 'DSM-CC U-N messages', kind: 'data', sections: true },
  0x0c: { codec: '', name: 'DSM-CC stream descriptors', kind: 'data', sections: true },
  0x0d: { codec: '', name: 'DSM-CC sections', kind: 'data', sections: true },
  0x0f: { codec: 'aac', name: 'AAC audio (ADTS)', kind: 'audio' },
  0x10: { codec: 'mpeg4', name: 'MPEG-4 Part 2 video', kind: 'video' },
  0x11: { codec: 'aac_latm', name: 'AAC audio (LATM)', kind: 'audio' },
  0x15: { codec: 'timed_id3', name: 'metadata in PES (ID3)', kind: 'data' },
  0x1b: { codec: 'h264', name: 'H.264 / AVC video', kind: 'video' },
  0x1c: { codec: 'aac', name: 'MPEG-4 audio (raw)', kind: 'audio' },
  0x20: { codec: 'h264', name: 'H.264 MVC sub-bitstream', kind: 'video' },
  0x21: { codec: 'jpeg2000', name: 'JPEG 2000 video', kind: 'video' },
  0x24: { codec: 'hevc', name: 'H.265 / HEVC video', kind: 'video' },
  0x2d: { codec: 'mpegh3d', name: 'MPEG-H 3D audio', kind: 'audio' },
  0x32: { codec: 'jpeg-xs', name: 'JPEG XS video', kind: 'video' },
  0x33: { codec: 'vvc', name: 'H.266 / VVC video', kind: 'video' },
  0x42: { codec: 'cavs', name: 'AVS video', kind: 'video' },
  0x81: { codec: 'ac3', name: 'AC-3 audio (ATSC)', kind: 'audio' },
  0x82: { codec: 'dts', name: 'DTS audio', kind: 'audio' },
  0x83: { codec: 'truehd', name: 'Dolby TrueHD audio', kind: 'audio' },
  0x86: { codec: 'scte35', name: 'SCTE-35 splice information', kind: 'data', sections: true },
  0x87: { codec: 'eac3', name: 'E-AC-3 audio (ATSC)', kind: 'audio' },
  0x90: { codec: 'hdmv_pgs', name: 'PGS subtitles (Blu-ray)', kind: 'subtitle' },
  0xd1: { codec: 'dirac', name: 'Dirac video', kind: 'video' },
  0xea: { codec: 'vc1', name: 'VC-1 video', kind: 'video' },
};

export function streamTypeInfo(streamType: number): StreamTypeInfo {
  return TYPES[streamType] ?? {
    codec: '',
    name: streamType >= 0x80 ? `user private (0x${streamType.toString(16).padStart(2, '0')})` : `reserved (0x${streamType.toString(16).padStart(2, '0')})`,
    kind: 'other',
  };
}

/** Descriptor tags that refine stream_type 0x06 (DVB) and registration format identifiers. */
export function refineByDescriptors(info: StreamTypeInfo, tags: readonly number[], registration: string | undefined): StreamTypeInfo {
  if (registration === 'HEVC') return { codec: 'hevc', name: 'H.265 / HEVC video', kind: 'video' };
  if (registration === 'AC-3') return { codec: 'ac3', name: 'AC-3 audio', kind: 'audio' };
  if (registration === 'EAC3') return { codec: 'eac3', name: 'E-AC-3 audio', kind: 'audio' };
  if (registration === 'Opus') return { codec: 'opus', name: 'Opus audio', kind: 'audio' };
  if (registration === 'KLVA') return { codec: 'klv', name: 'KLV metadata', kind: 'data' };
  if (registration === 'ID3 ') return { codec: 'timed_id3', name: 'metadata in PES (ID3)', kind: 'data' };
  if (info.codec !== '') return info;
  if (tags.includes(0x6a)) return { codec: 'ac3', name: 'AC-3 audio (DVB)', kind: 'audio' };
  if (tags.includes(0x7a)) return { codec: 'eac3', name: 'E-AC-3 audio (DVB)', kind: 'audio' };
  if (tags.includes(0x7b)) return { codec: 'dts', name: 'DTS audio (DVB)', kind: 'audio' };
  if (tags.includes(0x59)) return { codec: 'dvb_subtitle', name: 'DVB subtitles', kind: 'subtitle' };
  if (tags.includes(0x56)) return { codec: 'dvb_teletext', name: 'DVB teletext', kind: 'subtitle' };
  return info;
}
