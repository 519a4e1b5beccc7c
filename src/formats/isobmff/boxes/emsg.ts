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
      const schemeIdUri = r.cstring(r.end, 'scheme_id_uri');
      const value = r.cstring(r.end, 'value');
      const timescale = r.u32('timescale');
      const presentationTimeDelta = r.u32('presentation_time_delta');
      const eventDuration = r.u32('event_duration');
      const id = r.u32('id');
      const messageData = { offset: r.offset, bytes: r.bytesCopy(r.remaining(), 'message_data') };
      return { schemeIdUri, value, timescale, presentationTimeDelta, eventDuration, id, messageData };
    }
    const timescale = r.u32('timescale');
    const presentationTime = r.u64('presentation_time');
    const eventDuration = r.u32('event_duration');
    const id = r.u32('id');
    const schemeIdUri = r.cstring(r.end, 'scheme_id_uri');
    const value = r.cstring(r.end, 'value');
    const messageData = { offset: r.offset, bytes: r.bytesCopy(r.remaining(), 'message_data') };
    return { schemeIdUri, value, timescale, presentationTime, eventDuration, id, messageData };
  },
});
