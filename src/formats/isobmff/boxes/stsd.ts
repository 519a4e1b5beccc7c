import { defineBox } from './define';

export interface SampleDescriptionFields {
  entryCount: number;
}

/** Sample entries follow as children (see sampleEntry.ts). */
export const stsd = defineBox({
  type: 'stsd',
  name: 'SampleDescriptionBox',
  full: true,
  container: true,
  parse(r): SampleDescriptionFields {
    return { entryCount: r.u32('entry_count') };
  },
});

export interface DataReferenceFields {
  entryCount: number;
}

export const dref = defineBox({
  type: 'dref',
  name: 'DataReferenceBox',
  full: true,
  container: true,
  parse(r): DataReferenceFields {
    return { entryCount: r.u32('entry_count') };
  },
});

export interface DataEntryUrlFields {
  /** flags & 1: the media data is in this file. */
  selfContained: boolean;
  location: string;
}

export const url = defineBox({
  type: 'url ',
  name: 'DataEntryUrlBox',
  full: true,
  parse(r, { flags }): DataEntryUrlFields {
    return { selfContained: (flags & 1) !== 0, location: r.remaining() > 0 ? r.cstring(r.end, 'location') : '' };
  },
});

export interface MetaFields {
  /** QuickTime 'meta' has no version/flags; ISO 'meta' is a full box. */
  quickTime: boolean;
}

/** ISO 'meta' is a full box, QuickTime's is not: tell them apart by the first word (0 for ISO). */
export const meta = defineBox({
  type: 'meta',
  name: 'MetaBox',
  container: true,
  parse(r): MetaFields {
    const word = r.remaining() >= 4 ? r.view.getUint32(r.pos) : 0;
    if (word === 0) {
      r.u8('version');
      r.u24('flags');
      return { quickTime: false };
    }
    return { quickTime: true };
  },
});
