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
    return { offset, bytes: r.bytesCopy(r.remaining(), 'AVCConfig') };
  },
});

export const hvcC = defineBox({
  type: 'hvcC',
  name: 'HEVCConfigurationBox',
  parse(r): ConfigRecordFields {
    const offset = r.offset;
    return { offset, bytes: r.bytesCopy(r.remaining(), 'HEVCConfig') };
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
    return { bufferSizeDB: r.u32('bufferSizeDB'), maxBitrate: r.u32('maxBitrate'), avgBitrate: r.u32('avgBitrate') };
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
    return { hSpacing: r.u32('hSpacing'), vSpacing: r.u32('vSpacing') };
  },
});

export type ColourInformationFields =
  | { colourType: 'nclx' | 'nclc'; colourPrimaries: number; transferCharacteristics: number; matrixCoefficients: number; fullRange?: boolean }
  | { colourType: string; profile: ByteRange };

export const colr = defineBox({
  type: 'colr',
  name: 'ColourInformationBox',
  parse(r): ColourInformationFields {
    const colourType = r.fourcc('colour_type');
    if (colourType === 'nclx' || colourType === 'nclc') {
      const colourPrimaries = r.u16('colour_primaries');
      const transferCharacteristics = r.u16('transfer_characteristics');
      const matrixCoefficients = r.u16('matrix_coefficients');
      if (colourType === 'nclc') return { colourType, colourPrimaries, transferCharacteristics, matrixCoefficients };
      const last = r.u8();
      r.split(last, 8, [['full_range_flag', 1], ['reserved', 7]]);
      return { colourType, colourPrimaries, transferCharacteristics, matrixCoefficients, fullRange: (last & 0x80) !== 0 };
    }
    const offset = r.offset;
    return { colourType, profile: { offset, bytes: r.bytesCopy(r.remaining(), 'ICC_profile') } };
  },
});

export interface OriginalFormatFields {
  dataFormat: string;
}

export const frma = defineBox({
  type: 'frma',
  name: 'OriginalFormatBox',
  parse(r): OriginalFormatFields {
    return { dataFormat: r.fourcc('data_format') };
  },
});

export interface SchemeTypeFields {
  /** 'cenc', 'cbcs', 'cens', 'cbc1' (ISO/IEC 23001-7) or another protection scheme. */
  schemeType: string;
  schemeVersion: number;
}

export const schm = defineBox({
  type: 'schm',
  name: 'SchemeTypeBox',
  full: true,
  parse(r): SchemeTypeFields {
    return { schemeType: r.fourcc('scheme_type'), schemeVersion: r.u32('scheme_version') };
  },
});
