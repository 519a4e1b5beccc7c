/** Remuxing between containers: MP4 / fragmented MP4 → Matroska (for kvs-put). */
export * from './mp4ToMkv';
