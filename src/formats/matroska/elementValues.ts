// Narrowing of decoded element values to what a model field holds.
import type { BinaryRef, EbmlValue } from '../ebml/values';

export const asNumber = (value: EbmlValue | undefined): number | undefined =>
  typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;

export const asString = (value: EbmlValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export const asBinary = (value: EbmlValue | undefined): BinaryRef | undefined => (typeof value === 'object' ? value : undefined);

/** UIDs as decimal strings: they are often above 2^53. */
export const asUid = (value: EbmlValue | undefined): string | undefined =>
  typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
