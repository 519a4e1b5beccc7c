import { defineBox } from './define';

export interface ProducerReferenceTimeFields {
  referenceTrackId: number;
  /** NTP seconds since 1900 plus fraction, as a number. */
  ntpTimestamp: number;
  /** The NTP time as Unix epoch milliseconds. */
  unixMillis: number;
  /** In the reference track's timescale. */
  mediaTime: number;
}

export const prft = defineBox({
  type: 'prft',
  name: 'ProducerReferenceTimeBox',
  full: true,
  parse(r, { version }): ProducerReferenceTimeFields {
    const referenceTrackId = r.u32('reference_track_ID');
    const seconds = r.u32();
    const fraction = r.u32();
    const ntpTimestamp = seconds + fraction / 0x1_0000_0000;
    // Recorded as seconds: the 64-bit fixed-point value is not exact as a number.
    if (!r.overrun) r.note('ntp_timestamp', r.pos - 8, 8, ntpTimestamp, 'unsigned int(64)');
    const mediaTime = r.uv(version, 'media_time');
    return { referenceTrackId, ntpTimestamp, unixMillis: (ntpTimestamp - 2208988800) * 1000, mediaTime };
  },
});
