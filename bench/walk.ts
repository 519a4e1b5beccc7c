// The "ours" side of the inspector benchmark: one file, walked with the project's parsers the way the
// inspector builds its full view, then a one-line JSON summary of counts (to check against the other
// tools). Bundled by bench/inspect.bench.ts into bench/.build/walk.cjs so the timed process is plain node.
//
//   node bench/.build/walk.cjs FILE [--tree lazy|full] [--window BYTES]
//
// MKV: readMatroska with every block header in the block table and the element tree, in one walk.
//   --tree lazy (default): Clusters are not expanded in the tree, as the inspector shows them; their
//     children (Timestamp and every SimpleBlock/BlockGroup) are still walked, header by header, by
//     readMatroska. Every element header of the file is read once, Cues/SeekHead/Tags children included.
//   --tree full: the tree also holds every Cluster's children, so `elements` counts every element of the
//     file, like the element lines of `mkvinfo -a`.
// fMP4/MP4: readIsoBmff with per-sample tables: every box header, every decoded box (moov, moof, trun…)
//   and every trun sample in the per-track tables.
//   --tree lazy (default): moofs are leaves of the tree, as the inspector reads them (fragmentBoxes:
//     false); their boxes (mfhd, traf, tfhd, tfdt, trun) are still read and decoded, into the fragments
//     and sample tables.
//   --tree full: the tree also holds every moof's child boxes.
// The summary's parseMs is the time from opening the file to the counts, measured inside the process.
// --window BYTES (an experiment, not the inspector): read through WindowSource below, a fixed read
//   window of that size (FileSource before it adapted its reads), to measure what the reads cost (see
//   docs/benchmarks.md).
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { ByteSource } from '../src/formats/byteSource';
import type { EbmlNode } from '../src/formats/ebml/tree';
import type { BlockTable } from '../src/formats/matroska/blockTable';
import { readIsoBmff } from '../src/formats/isobmff';
import type { Box } from '../src/formats/isobmff';
import { ElementId } from '../src/formats/matroska/elementTable';
import { readMatroska } from '../src/formats/matroska/readMatroska';
import { FileSource } from '../src/io/fileSource';

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

/** For the --window experiment: what FileSource did before its reads adapted, with the window size as a parameter. */
class WindowSource implements ByteSource {
  readonly size: number;
  private readonly fd: number;
  private window: Uint8Array;
  private windowStart = 0;
  private windowLength = 0;

  constructor(path: string, private readonly windowSize: number) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    this.window = new Uint8Array(windowSize);
  }

  read(offset: number, length: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (start >= this.windowStart && end <= this.windowStart + this.windowLength) {
      return this.window.subarray(start - this.windowStart, end - this.windowStart);
    }
    const wanted = Math.max(end - start, this.windowSize);
    if (wanted > this.window.length) this.window = new Uint8Array(wanted);
    this.windowStart = start;
    this.windowLength = readSync(this.fd, this.window, 0, Math.min(wanted, this.size - start), start);
    return this.window.subarray(0, Math.min(end - start, this.windowLength));
  }

  close(): void {
    closeSync(this.fd);
  }
}

function usage(): never {
  writeSync(2, 'usage: node bench/.build/walk.cjs FILE [--tree lazy|full] [--window BYTES]\n');
  process.exit(2);
}

// The counting below is the benchmark's, not the inspector's: it runs in the timed process, so it is
// written to cost little in V8's baseline tier (indexed loops, columns and constants in locals).

/** Elements of a tree, and how many of them are CRC-32 elements (which `mkvinfo` does not list). */
function countNodes(roots: readonly EbmlNode[]): { elements: number; crc32: number } {
  const crc32Id = ElementId.CRC32;
  let elements = 0;
  let crc32 = 0;
  const pending: (readonly EbmlNode[])[] = [roots];
  for (let level = pending.pop(); level; level = pending.pop()) {
    elements += level.length;
    for (let i = 0; i < level.length; i++) {
      const node = level[i];
      if (node?.id === crc32Id) crc32++;
      if (node?.children) pending.push(node.children);
    }
  }
  return { elements, crc32 };
}

/** Boxes of a tree, children included. */
function countBoxes(roots: readonly Box[]): number {
  let boxes = 0;
  const pending: (readonly Box[])[] = [roots];
  for (let level = pending.pop(); level; level = pending.pop()) {
    boxes += level.length;
    for (let i = 0; i < level.length; i++) {
      const children = level[i]?.children;
      if (children) pending.push(children);
    }
  }
  return boxes;
}

/** Blocks per track number and frames in all, from the block table's columns. */
function countBlocks(blocks: BlockTable): { perTrack: Record<number, number>; frames: number } {
  const { count, track, frameCount } = blocks;
  const small = new Float64Array(256); // tracks 0-255, the usual ones, counted without an object per block
  const perTrack: Record<number, number> = {};
  let frames = 0;
  for (let i = 0; i < count; i++) {
    const t = track[i] ?? 0;
    if (t < 256) small[t] = (small[t] ?? 0) + 1;
    else perTrack[t] = (perTrack[t] ?? 0) + 1;
    frames += frameCount[i] ?? 0;
  }
  for (let t = 0; t < 256; t++) if (small[t]) perTrack[t] = small[t] ?? 0;
  return { perTrack, frames };
}

function walkMatroska(source: ByteSource, fullTree: boolean): Record<string, unknown> {
  const file = readMatroska(source, { blocks: true, tree: fullTree ? {} : { expand: (element) => element.id !== ElementId.Cluster } });
  const blocks = file.blocks;
  const { perTrack, frames } = countBlocks(blocks);
  const tracks = file.documents.flatMap((d) => d.segments.flatMap((s) => s.tracks)).length;
  const { elements, crc32 } = countNodes(file.tree ?? []);
  return {
    format: 'mkv',
    tree: fullTree ? 'full' : 'lazy',
    elements,
    crc32Elements: crc32,
    clusters: file.clusters.length,
    blocks: blocks.count,
    frames,
    perTrack,
    tracks,
    issues: file.issues.length,
  };
}

function walkIsoBmff(source: ByteSource, fullTree: boolean): Record<string, unknown> {
  const file = readIsoBmff(source, { samples: true, fragmentBoxes: fullTree });
  const perTrack: Record<number, number> = {};
  let samples = 0;
  for (const track of file.tracks) {
    const count = track.samples?.count ?? 0;
    perTrack[track.id] = count;
    samples += count;
  }
  return {
    format: 'isobmff',
    tree: fullTree ? 'full' : 'lazy',
    kind: file.kind,
    boxes: countBoxes(file.boxes),
    moofs: file.fragments.length,
    samples,
    perTrack,
    tracks: file.tracks.length,
    issues: file.issues.length,
  };
}

/** What this run used, for the launcher's code cache (src/cli/launcher.ts): the format and the tree mode. */
export let runKind: string | undefined;

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const path = args.find((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  const treeMode = option('--tree') ?? 'lazy';
  const windowSize = Number(option('--window') ?? 0);
  if (!path || (treeMode !== 'lazy' && treeMode !== 'full') || !(windowSize >= 0)) usage();

  // The parse inside the process: from opening the file to the counts (Node's start-up, loading the
  // bundle and the exit left out), timed as bench/mp4box-walk.mjs times mp4box.js.
  const started = performance.now();
  const source = windowSize > 0 ? new WindowSource(path, windowSize) : new FileSource(path);
  try {
    const magic = source.read(0, 4);
    const isEbml = EBML_MAGIC.every((b, i) => magic[i] === b);
    const summary = isEbml ? walkMatroska(source, treeMode === 'full') : walkIsoBmff(source, treeMode === 'full');
    summary.parseMs = Number((performance.now() - started).toFixed(2));
    runKind = `${summary.format}+${treeMode}`;
    // writeSync: setting up process.stdout costs ~15 ms of start-up, which is not the inspector's work.
    writeSync(1, `${JSON.stringify(summary)}\n`);
  } finally {
    source.close();
  }
}

main();
// Exit now, as kvs-inspect does: a natural exit would first wait for V8's background compile jobs.
process.exit(0);
