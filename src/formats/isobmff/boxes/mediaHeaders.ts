import { defineBox } from './define';

export interface VideoMediaHeaderFields {
  graphicsMode: number;
  opcolor: [number, number, number];
}

export const vmhd = defineBox({
  type: 'vmhd',
  name: 'VideoMediaHeaderBox',
  full: true,
  parse(r): VideoMediaHeaderFields {
    return { graphicsMode: r.u16('graphicsmode'), opcolor: [r.u16('opcolor[0]'), r.u16('opcolor[1]'), r.u16('opcolor[2]')] };
  },
});

export interface SoundMediaHeaderFields {
  balance: number;
}

export const smhd = defineBox({
  type: 'smhd',
  name: 'SoundMediaHeaderBox',
  full: true,
  parse(r): SoundMediaHeaderFields {
    const balance = r.fixed8('balance');
    r.skip(2, 'reserved');
    return { balance };
  },
});

export const nmhd = defineBox({ type: 'nmhd', name: 'NullMediaHeaderBox', full: true, parse: () => ({}) });
export const sthd = defineBox({ type: 'sthd', name: 'SubtitleMediaHeaderBox', full: true, parse: () => ({}) });
