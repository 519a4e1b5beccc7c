/** Matroska writing: EBML primitives, KVS-style header/Info/Tracks/Cluster/Tags, GetMedia chunks. */
export * from './ebmlWrite';
export * from './matroskaWrite';
export * from './getMedia';
