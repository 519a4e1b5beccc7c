/** PutMedia ingest: splitting a producer's MKV stream into header, fragments (Clusters) and tags. */
export { PutMediaSplitter, DEFAULT_MAX_FRAGMENT_BYTES, DEFAULT_MAX_TRACKS, type PutMediaSplitterOptions } from './putMediaSplitter';
export { IngestErrorId, type IngestErrorCode, type IngestEvent, type IngestTrack, type HeaderEvent, type FragmentEvent, type TagsEvent, type ErrorEvent } from './events';
export { readElementHead, emptyElementHead, HeaderParse, type ElementHead, type HeaderParseStatus } from './elementHeader';
