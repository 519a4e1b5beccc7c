import { createSchema } from '../ebml/schema';
import type { EbmlSchema } from '../ebml/schema';
import { MATROSKA_ELEMENTS } from './elementTable';

/** The Matroska element schema (with the EBML header elements), for walkEbml/readTree. */
export const matroskaSchema: EbmlSchema = createSchema(MATROSKA_ELEMENTS);
