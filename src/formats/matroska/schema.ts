import { createSchema } from '../ebml/schema';
import type { EbmlSchema } from '../ebml/schema';
import { MATROSKA_ELEMENTS } from './elementTable';

let schema: EbmlSchema | undefined;

/**
 * The Matroska element schema (with the EBML header elements), for walkEbml/readTree. Built on first
 * use: a run that reads no Matroska (an MP4 or MPEG-TS file) does not spend its start-up building it.
 */
export function matroskaSchema(): EbmlSchema {
  return (schema ??= createSchema(MATROSKA_ELEMENTS));
}
