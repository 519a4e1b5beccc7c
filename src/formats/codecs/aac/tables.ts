/** ISO/IEC 14496-3 Table 1.18: samplingFrequencyIndex → Hz (13, 14 reserved; 15 = explicit value). */
export const SAMPLING_FREQUENCIES: readonly number[] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function samplingFrequency(index: number): number | undefined {
  return SAMPLING_FREQUENCIES[index];
}

/** Table 1.19 channelConfiguration → channel count (0: defined by a program_config_element). */
export function channelCount(config: number): number | undefined {
  return [undefined, 1, 2, 3, 4, 5, 6, 8, undefined, undefined, undefined, 7, 8, 24, 8][config];
}

/** audioObjectType of AAC LC. */
export const AAC_LC_OBJECT_TYPE = 2;

/** Table 1.17: every audio object type defined (0 is the null object; 10, 11, 18 and 47 on are reserved). */
const OBJECT_TYPES: Record<number, string> = {
  1: 'AAC Main',
  2: 'AAC LC',
  3: 'AAC SSR',
  4: 'AAC LTP',
  5: 'SBR (HE-AAC)',
  6: 'AAC Scalable',
  7: 'TwinVQ',
  8: 'CELP',
  9: 'HVXC',
  12: 'TTSI',
  13: 'Main synthetic',
  14: 'Wavetable synthesis',
  15: 'General MIDI',
  16: 'Algorithmic synthesis and audio effects',
  17: 'ER AAC LC',
  19: 'ER AAC LTP',
  20: 'ER AAC scalable',
  21: 'ER TwinVQ',
  22: 'ER BSAC',
  23: 'ER AAC LD',
  24: 'ER CELP',
  25: 'ER HVXC',
  26: 'ER HILN',
  27: 'ER Parametric',
  28: 'SSC',
  29: 'PS (HE-AAC v2)',
  30: 'MPEG Surround',
  32: 'Layer-1',
  33: 'Layer-2',
  34: 'Layer-3',
  35: 'DST',
  36: 'ALS',
  37: 'SLS',
  38: 'SLS non-core',
  39: 'ER AAC ELD',
  40: 'SMR simple',
  41: 'SMR main',
  42: 'USAC',
  43: 'SAOC',
  44: 'LD MPEG Surround',
  45: 'SAOC-DE',
  46: 'Audio Sync',
};

/** Whether Table 1.17 defines `aot`: not the null object (0), not a reserved value. */
export function isAudioObjectType(aot: number): boolean {
  return OBJECT_TYPES[aot] !== undefined;
}

export function audioObjectTypeName(aot: number): string {
  return OBJECT_TYPES[aot] ?? `audio object type ${aot}`;
}
