import { defineBox } from './define';
import type { ByteRange } from '../types';

export interface EventMessageFields {
  schemeIdUri: string;
  value: string;
  timescale: number;
  /** Version 0: relative to the segment's earliest presentation time. */
  presentationTimeDelta?: number;
  /** Version 1: absolute, in `timescale` units. */
  presentationTime?: number;
  /** 0xFFFFFFFF = unknown. */
  eventDuration: number;
  id: number;
  messageData: ByteRange;
}

export const emsg = defineBox({
  type: 'emsg',
  name: 'DASHEventMessageBox',
  full: true,
  parse(r, { version }): EventMessageFields {
    if (version === 0) {
      const schemeIdUri = r.cstring();
      const value = r.cstring();
      const timescale = r.u32();
      const presentationTimeDelta = r.u32();
      const eventDuration = r.u32();
      const id = r.u32();
      const messageData = { offset: r.offset, bytes: r.bytesCopy(r.remaining()) };
      return { schemeIdUri, value, timescale, presentationTimeDelta, eventDuration, id, messageData };
    }
    const timescale = r.u32();
    const presentationTime = r.u64();
    const eventDuration = r.u32();
    const id = r.u32();
    const schemeIdUri = r.cstring();
    const value = r.cstring();
    const messageData = { offset: r.offset, bytes: r.bytesCopy(r.remaining()) };
    return { schemeIdUri, value, timescale, presentationTime, eventDuration, id, messageData };
  },
});
