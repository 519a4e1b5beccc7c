import { runPlaceholderCli } from './placeholder';

runPlaceholderCli(`Usage: kvs-inspect FILE [--json] [--checks] [--frames]

Dissects an MKV, fragmented MP4, MP4 or MPEG-TS file (FILE may be - for standard input):
tracks, codec private data, fragments and KVS readiness issues.`);
