// Rewrites where a plain MP4's samples lie: each track's samples in chunks of up to `chunkMs` of decode
// time, the tracks' chunks of each time window one after the other (Infinity: all of the first track,
// then all of the next). The samples, their times and the sample descriptions stay; stsc and stco are
// written anew, the moov first. What cameras and other muxers write, which ffmpeg's interleaving does
// not.
import { bytesSource } from '../../../../src/formats/byteSource';
import { readIsoBmff, type Box } from '../../../../src/formats/isobmff';
import { box, concat, fullBox, u32 } from '../../formats/isobmff/helpers';

const REBUILT = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

/** A version 0 full box of 32-bit rows, after its entry count. */
function table(type: string, rows: readonly (readonly number[])[]): Uint8Array {
  return fullBox(type, 0, 0, u32(rows.length), ...rows.flatMap((row) => row.map(u32)));
}

interface Chunk {
  window: number;
  track: number;
  samples: { offset: number; size: number }[];
}

export function relayoutPlainMp4(bytes: Uint8Array, chunkMs: number): Uint8Array {
  const file = readIsoBmff(bytesSource(bytes));
  const chunks: Chunk[] = [];
  file.tracks.forEach((track, index) => {
    const samples = track.samples;
    if (!samples) return;
    for (let s = 0; s < samples.count; s++) {
      const window = Math.floor(((samples.dts[s] ?? 0) * 1000) / track.timescale / chunkMs);
      let chunk = chunks.at(-1);
      if (!chunk || chunk.track !== index || chunk.window !== window) chunks.push((chunk = { window, track: index, samples: [] }));
      chunk.samples.push({ offset: samples.offset[s] ?? 0, size: samples.size[s] ?? 0 });
    }
  });
  chunks.sort((a, b) => a.window - b.window || a.track - b.track);

  const ftyp = file.boxes.find((b) => b.type === 'ftyp');
  const moov = file.boxes.find((b) => b.type === 'moov');
  if (!ftyp || !moov) throw new Error('not a plain MP4');
  const raw = (b: Box) => bytes.subarray(b.offset, b.offset + b.size);
  /** The moov with each track's stsc and stco for the chunks, whose data starts at `dataStart`. */
  const writeMoov = (dataStart: number): Uint8Array => {
    let trackIndex = -1;
    const chunkOffsets = new Map<number, number[]>();
    let at = dataStart;
    for (const chunk of chunks) {
      chunkOffsets.set(chunk.track, [...(chunkOffsets.get(chunk.track) ?? []), at]);
      at += chunk.samples.reduce((n, sample) => n + sample.size, 0);
    }
    const write = (b: Box): Uint8Array => {
      if (b.type === 'trak') trackIndex++;
      if (b.type === 'stsc') {
        const mine = chunks.filter((chunk) => chunk.track === trackIndex);
        return table('stsc', mine.map((chunk, k) => [k + 1, chunk.samples.length, 1]));
      }
      if (b.type === 'stco' || b.type === 'co64') return table('stco', (chunkOffsets.get(trackIndex) ?? []).map((offset) => [offset]));
      if (!REBUILT.has(b.type)) return raw(b);
      return box(b.type, ...(b.children ?? []).map(write));
    };
    return write(moov);
  };
  const moovSize = writeMoov(0).length;
  const dataStart = ftyp.size + moovSize + 8;
  const data = chunks.flatMap((chunk) => chunk.samples.map((sample) => bytes.subarray(sample.offset, sample.offset + sample.size)));
  return concat(raw(ftyp), writeMoov(dataStart), box('mdat', ...data));
}
