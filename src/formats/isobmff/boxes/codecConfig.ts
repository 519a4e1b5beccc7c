import { defineBox } from './define';
import type { ByteRange } from '../types';

/**
 * Decoder configuration records kept as bytes with their absolute offset; the codecs layer decodes
 * them (avcC: AVCDecoderConfigurationRecord, ISO/IEC 14496-15 §5.3.3; hvcC: §8.3.3).
 */
export type ConfigRecordFields = ByteRange;

export const avcC = defineBox({
  type: 'avcC',
  name: 'AVCConfigurationBox',
  parse(r): ConfigRecordFields {
    const offset = r.offset;
    return { offset, bytes: r.bytesCopy(r.remaining()) };
  },
});

export const hvcC = defineBox({
  type: 'hvcC',
  name: 'HEVCConfigurationBox',
  parse(r): ConfigRecordFields {
    const offset = r.offset;
    return { offset, bytes: r.bytesCopy(r.remaining()) };
  },
});

export interface BitRateFields {
  bufferSizeDB: number;
  maxBitrate: number;
  avgBitrate: number;
}

export const btrt = defineBox({
  type: 'btrt',
  name: 'BitRateBox',
  parse(r): BitRateFields {
    return { bufferSizeDB: r.u32(), maxBitrate: r.u32(), avgBitrate: r.u32() };
  },
});

export interface PixelAspectRatioFields {
  hSpacing: number;
  vSpacing: number;
}

export const pasp = defineBox({
  type: 'pasp',
  name: 'PixelAspectRatioBox',
  parse(r): PixelAspectRatioFields {
    return { hSpacing: r.u32(), vSpacing: r.u32() };
  },
});

export type ColourInformationFields =
  | { colourType: 'nclx' | 'nclc'; colourPrimaries: number; transferCharacteristics: number; matrixCoefficients: number; fullRange?: boolean }
  | { colourType: string; profile: ByteRange };

export const colr = defineBox({
  type: 'colr',
  name: 'ColourInformationBox',
  parse(r): ColourInformationFields {
    const colourType = r.fourcc();
    if (colourType === 'nclx' || colourType === 'nclc') {
      const colourPrimaries = r.u16();
      const transferCharacteristics = r.u16();
      const matrixCoefficients = r.u16();
      if (colourType === 'nclc') return { colourType, colourPrimaries, transferCharacteristics, matrixCoefficients };
      const fullRange = (r.u8() & 0x80) !== 0;
      return { colourType, colourPrimaries, transferCharacteristics, matrixCoefficients, fullRange };
    }
    const offset = r.offset;
    return { colourType, profile: { offset, bytes: r.bytesCopy(r.remaining()) } };
  },
});

export interface OriginalFormatFields {
  dataFormat: string;
}

export const frma = defineBox({
  type: 'frma',
  name: 'OriginalFormatBox',
  parse(r): OriginalFormatFields {
    return { dataFormat: r.fourcc() };
  },
});
