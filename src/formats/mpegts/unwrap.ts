/** PTS, DTS and the PCR base count a 90 kHz clock in 33 bits: they wrap after 2^33 ticks, about 26.5 hours. */
export const TIMESTAMP_PERIOD = 2 ** 33;
/** The whole PCR (base × 300 + extension, 27 MHz) wraps with its base. */
export const PCR_PERIOD = TIMESTAMP_PERIOD * 300;

/**
 * Makes a wrapping clock continuous, as players and ffprobe read it: each value is taken in the period
 * that puts it nearest the one before, so times go on past the wrap instead of jumping back 26.5 hours.
 * (Encoders often start the clock at a random value, so a recording of minutes can cross it.)
 */
export class Unwrapper {
  private last = NaN;
  /** Offset of the first value that was moved to another period; -1 while none was. */
  firstWrapAt = -1;

  constructor(private readonly period: number) {}

  unwrap(value: number, offset: number): number {
    if (!Number.isNaN(this.last)) {
      const shift = Math.round((this.last - value) / this.period) * this.period;
      if (shift !== 0 && this.firstWrapAt < 0) this.firstWrapAt = offset;
      value += shift;
    }
    this.last = value;
    return value;
  }
}
