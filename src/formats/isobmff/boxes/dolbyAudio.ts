import { AC3_ACMOD_CHANNELS } from '../../codecs/ac3/syncFrame';
import { defineBox } from './define';

// The AC-3 and E-AC-3 configuration boxes of the 'ac-3' and 'ec-3' sample entries (ETSI TS 102 366
// Annex F). They, not the sample entry's channelcount (always 2 there, F.3), say how many channels a
// track has.

/** Channels of each chan_loc bit, from bit 0 (Lc/Rc) to bit 8 (LFE2) (TS 102 366 Table E.1.4). */
const CHAN_LOC_CHANNELS = [2, 2, 1, 1, 2, 2, 2, 1, 1] as const;

export interface Ac3SpecificFields {
  fscod: number;
  bsid: number;
  bsmod: number;
  acmod: number;
  lfeon: number;
  bitRateCode: number;
  /** Channels the decoder puts out: acmod's and the LFE. */
  channelCount: number;
}

/** AC3SpecificBox (F.4): one 24-bit word. */
export const dac3 = defineBox({
  type: 'dac3',
  name: 'AC3SpecificBox',
  parse(r): Ac3SpecificFields {
    const word = r.u24();
    r.split(word, 24, [['fscod', 2], ['bsid', 5], ['bsmod', 3], ['acmod', 3], ['lfeon', 1], ['bit_rate_code', 5], ['reserved', 5]]);
    const fscod = word >>> 22;
    const acmod = (word >>> 11) & 7;
    const lfeon = (word >>> 10) & 1;
    return {
      fscod, bsid: (word >>> 17) & 0x1f, bsmod: (word >>> 14) & 7, acmod, lfeon, bitRateCode: (word >>> 5) & 0x1f,
      channelCount: (AC3_ACMOD_CHANNELS[acmod] ?? 0) + lfeon,
    };
  },
});

export interface Ec3Substream {
  fscod: number;
  bsid: number;
  asvc: number;
  bsmod: number;
  acmod: number;
  lfeon: number;
  numDepSub: number;
  /** Where the dependent substreams' channels go (a bit per channel or pair); 0 without dependent substreams. */
  chanLoc: number;
}

export interface Ec3SpecificFields {
  dataRate: number;
  /** num_ind_sub + 1 entries (fewer when the box is cut short). */
  substreams: Ec3Substream[];
  /** Channels of the first independent substream and its dependent substreams: the main programme. */
  channelCount: number | undefined;
}

/** An independent substream's entry up to num_dep_sub; chan_loc (9 bits) or a reserved bit follows. */
const SUBSTREAM_FIELDS: readonly (readonly [string, number])[] = [
  ['fscod', 2], ['bsid', 5], ['reserved', 1], ['asvc', 1], ['bsmod', 3], ['acmod', 3], ['lfeon', 1], ['reserved', 3], ['num_dep_sub', 4],
];

/** EC3SpecificBox (F.6): data_rate, then an entry per independent substream. */
export const dec3 = defineBox({
  type: 'dec3',
  name: 'EC3SpecificBox',
  parse(r): Ec3SpecificFields {
    const head = r.u16();
    r.split(head, 16, [['data_rate', 13], ['num_ind_sub', 3]]);
    const substreams: Ec3Substream[] = [];
    for (let i = 0; i <= (head & 7) && r.remaining() >= 3; i++) {
      const prefix = `independent_substream[${i}].`;
      let word = r.u24();
      const numDepSub = (word >>> 1) & 0xf;
      let chanLoc = 0;
      let last: readonly [string, number] = ['reserved', 1];
      if (numDepSub > 0) {
        word = word * 256 + r.u8();
        chanLoc = word & 0x1ff;
        last = ['chan_loc', 9];
      }
      const parts = [...SUBSTREAM_FIELDS, last].map(([name, width]) => [prefix + name, width] as const);
      r.split(word, numDepSub > 0 ? 32 : 24, parts);
      if (numDepSub > 0) word = Math.floor(word / 256); // back to the 24-bit layout for the fields below
      substreams.push({
        fscod: word >>> 22, bsid: (word >>> 17) & 0x1f, asvc: (word >>> 15) & 1, bsmod: (word >>> 12) & 7,
        acmod: (word >>> 9) & 7, lfeon: (word >>> 8) & 1, numDepSub, chanLoc,
      });
    }
    const main = substreams[0];
    return {
      dataRate: head >>> 3,
      substreams,
      channelCount: main && (AC3_ACMOD_CHANNELS[main.acmod] ?? 0) + main.lfeon + dependentChannels(main.chanLoc),
    };
  },
});

function dependentChannels(chanLoc: number): number {
  let channels = 0;
  CHAN_LOC_CHANNELS.forEach((count, bit) => {
    if (chanLoc & (1 << bit)) channels += count;
  });
  return channels;
}
