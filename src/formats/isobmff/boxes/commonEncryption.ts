// Common encryption (ISO/IEC 23001-7) and the sample auxiliary information it is stored in (ISO/IEC 14496-12).
import { defineBox } from './define';
import type { BoxReader } from '../reader';

export interface TrackEncryptionFields {
  /** Version 1 (pattern encryption, 'cens'/'cbcs'): encrypted and clear 16-byte blocks in turn. */
  defaultCryptByteBlock?: number;
  defaultSkipByteBlock?: number;
  defaultIsProtected: number;
  /** 0, 8 or 16; 0 with a constant IV. */
  defaultPerSampleIvSize: number;
  /** Hex, 32 digits. */
  defaultKid: string;
  defaultConstantIv?: string;
}

export const tenc = defineBox({
  type: 'tenc',
  name: 'TrackEncryptionBox',
  full: true,
  parse(r, { version }): TrackEncryptionFields {
    r.skip(1, 'reserved');
    let pattern: Pick<TrackEncryptionFields, 'defaultCryptByteBlock' | 'defaultSkipByteBlock'> = {};
    if (version === 0) r.skip(1, 'reserved');
    else {
      const blocks = r.u8();
      r.split(blocks, 8, [['default_crypt_byte_block', 4], ['default_skip_byte_block', 4]]);
      pattern = { defaultCryptByteBlock: blocks >>> 4, defaultSkipByteBlock: blocks & 15 };
    }
    const defaultIsProtected = r.u8('default_isProtected');
    const defaultPerSampleIvSize = r.u8('default_Per_Sample_IV_Size');
    const defaultKid = r.hexBytes(16, 'default_KID');
    const fields: TrackEncryptionFields = { ...pattern, defaultIsProtected, defaultPerSampleIvSize, defaultKid };
    if (defaultIsProtected === 1 && defaultPerSampleIvSize === 0) {
      fields.defaultConstantIv = r.hexBytes(r.u8('default_constant_IV_size'), 'default_constant_IV');
    }
    return fields;
  },
});

export interface ProtectionSystemHeaderFields {
  /** Hex, 32 digits: the DRM system (edef8ba979d64acea3c827dcd51d21ed is Widevine). */
  systemId: string;
  /** Version 1: the key IDs the data is for. */
  kids: string[];
  dataSize: number;
}

export const pssh = defineBox({
  type: 'pssh',
  name: 'ProtectionSystemSpecificHeaderBox',
  full: true,
  parse(r, ctx): ProtectionSystemHeaderFields {
    const systemId = r.hexBytes(16, 'SystemID');
    const kids: string[] = [];
    if (ctx.version > 0) {
      const count = r.u32('KID_count');
      const room = Math.floor(r.remaining() / 16);
      if (count > room) ctx.issue('error', 'TABLE_TRUNCATED', `pssh declares ${count} key IDs, room for ${room}`, r.offset);
      for (let i = 0; i < Math.min(count, room); i++) kids.push(r.hexBytes(16, `KID[${i}]`));
    }
    const dataSize = r.u32('DataSize');
    if (dataSize > r.remaining()) ctx.issue('error', 'TABLE_TRUNCATED', `pssh declares ${dataSize} bytes of data, room for ${r.remaining()}`, r.offset);
    r.skip(Math.min(dataSize, r.remaining()), 'Data');
    return { systemId, kids, dataSize };
  },
});

export interface AuxiliaryInfoType {
  auxInfoType?: string;
  auxInfoTypeParameter?: number;
}

function readAuxInfoType(r: BoxReader, flags: number): AuxiliaryInfoType {
  if ((flags & 1) === 0) return {};
  return { auxInfoType: r.fourcc('aux_info_type'), auxInfoTypeParameter: r.u32('aux_info_type_parameter') };
}

export interface SampleAuxiliaryInfoSizesFields extends AuxiliaryInfoType {
  /** 0: each sample has its own size in the table. */
  defaultSampleInfoSize: number;
  sampleCount: number;
}

export const saiz = defineBox({
  type: 'saiz',
  name: 'SampleAuxiliaryInformationSizesBox',
  full: true,
  parse(r, ctx): SampleAuxiliaryInfoSizesFields {
    const type = readAuxInfoType(r, ctx.flags);
    const defaultSampleInfoSize = r.u8('default_sample_info_size');
    const sampleCount = r.u32('sample_count');
    if (defaultSampleInfoSize === 0) {
      const room = r.remaining();
      if (sampleCount > room) ctx.issue('error', 'TABLE_TRUNCATED', `saiz declares ${sampleCount} sizes, room for ${room}`, r.offset);
      const n = Math.min(sampleCount, room);
      r.noteTable(r.pos, n, [['sample_info_size', 1]]);
      r.skip(n);
    }
    return { ...type, defaultSampleInfoSize, sampleCount };
  },
});

export interface SampleAuxiliaryInfoOffsetsFields extends AuxiliaryInfoType {
  /** As coded: from the moof's first byte in a movie fragment (default-base-is-moof), else from the file's. */
  offsets: number[];
}

export const saio = defineBox({
  type: 'saio',
  name: 'SampleAuxiliaryInformationOffsetsBox',
  full: true,
  parse(r, ctx): SampleAuxiliaryInfoOffsetsFields {
    const type = readAuxInfoType(r, ctx.flags);
    const entryCount = r.u32('entry_count');
    const width = ctx.version === 0 ? 4 : 8;
    const room = Math.floor(r.remaining() / width);
    if (entryCount > room) ctx.issue('error', 'TABLE_TRUNCATED', `saio declares ${entryCount} offsets, room for ${room}`, r.offset);
    const offsets: number[] = [];
    for (let i = 0; i < Math.min(entryCount, room); i++) offsets.push(r.uv(ctx.version, `offset[${i}]`));
    return { ...type, offsets };
  },
});

export interface SampleEncryptionFields {
  sampleCount: number;
  /**
   * The per-sample IV size the box's length gives (0, 8 or 16): it is the track's tenc
   * default_Per_Sample_IV_Size, which this box does not repeat. Undefined when none fits.
   */
  perSampleIvSize: number | undefined;
  /** Clear and protected bytes of each sample, when the box lists subsamples (flags & 2). */
  subsampleBytes?: { clear: number; protected: number }[];
}

const SUBSAMPLES = 2;
const IV_SIZES = [8, 16, 0] as const;

/** The IV size with which `count` entries fill bytes[from, end) exactly. */
function fittingIvSize(r: BoxReader, from: number, count: number, subsamples: boolean): number | undefined {
  return IV_SIZES.find((ivSize) => {
    if (!subsamples) return from + count * ivSize === r.end;
    // Each entry takes at least its 2-byte subsample_count, so this ends within (end - from) / 2 steps.
    let at = from;
    for (let i = 0; i < count; i++) {
      at += ivSize;
      if (at + 2 > r.end) return false;
      at += 2 + 6 * r.view.getUint16(at);
    }
    return at === r.end;
  });
}

export const senc = defineBox({
  type: 'senc',
  name: 'SampleEncryptionBox',
  full: true,
  parse(r, ctx): SampleEncryptionFields {
    const sampleCount = r.u32('sample_count');
    const subsamples = (ctx.flags & SUBSAMPLES) !== 0;
    if (sampleCount === 0 && r.remaining() === 0) return { sampleCount, perSampleIvSize: undefined };
    const perSampleIvSize = fittingIvSize(r, r.pos, sampleCount, subsamples);
    if (perSampleIvSize === undefined) {
      ctx.issue('error', 'SENC_INVALID', `senc: its ${sampleCount} sample entries fill its ${r.remaining()} bytes with no IV size (8, 16 or 0 bytes)`, r.offset);
      return { sampleCount, perSampleIvSize };
    }
    const subsampleBytes: { clear: number; protected: number }[] = [];
    for (let i = 0; i < sampleCount; i++) {
      if (perSampleIvSize > 0) r.hexBytes(perSampleIvSize, `InitializationVector[${i}]`);
      if (!subsamples) continue;
      const count = r.u16(`subsample_count[${i}]`);
      const bytes = { clear: 0, protected: 0 };
      for (let j = 0; j < count; j++) {
        bytes.clear += r.u16(`BytesOfClearData[${i}][${j}]`);
        bytes.protected += r.u32(`BytesOfProtectedData[${i}][${j}]`);
      }
      subsampleBytes.push(bytes);
    }
    return subsamples ? { sampleCount, perSampleIvSize, subsampleBytes } : { sampleCount, perSampleIvSize };
  },
});
