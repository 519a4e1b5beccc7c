import assert from 'node:assert/strict';
import type { FieldLocation } from '../../../../../src/formats/bits/syntax';
import type { TraceLine } from './ffmpeg';

/** ffmpeg's element names that differ from the ITU-T tables. */
const ALIASES: Record<string, string> = {
  gaps_in_frame_num_allowed_flag: 'gaps_in_frame_num_value_allowed_flag',
};
const HEVC_ALIASES: Record<string, string> = {
  matrix_coefficients: 'matrix_coeffs',
  scaling_list_delta_coeff: 'scaling_list_delta_coef',
};
const IGNORED = new Set(['rbsp_stop_one_bit', 'rbsp_alignment_zero_bit']);

function leaf(path: string): string {
  const last = path.split('.').pop() ?? path;
  return last.replace(/\[\d+\]/g, '');
}

/** ffmpeg reads elements longer than 32 bits in pieces (`general_reserved_zero_43bits` twice): join them. */
function mergeSplit(lines: TraceLine[]): TraceLine[] {
  const out: TraceLine[] = [];
  for (const line of lines) {
    const prev = out[out.length - 1];
    const width = /_(\d+)bits$/.exec(line.name);
    if (prev && width && prev.name === line.name && prev.bits.length < Number(width[1])) {
      const bits = prev.bits + line.bits;
      out[out.length - 1] = { pos: prev.pos, name: prev.name, bits, value: parseInt(bits, 2) };
    } else {
      out.push(line);
    }
  }
  return out;
}

export interface Comparable {
  name: string;
  pos: number;
  length: number;
  value: number;
}

/** Asserts that our locations list exactly the elements ffmpeg traced: same names, bit positions, widths and values. */
export function assertMatchesTrace(locations: FieldLocation[], trace: TraceLine[], codec: 'h264' | 'h265', label: string): void {
  const aliases = codec === 'h265' ? { ...ALIASES, ...HEVC_ALIASES } : ALIASES;
  const theirs: Comparable[] = mergeSplit(trace)
    .filter((l) => !IGNORED.has(l.name))
    .map((l) => {
      let name = l.name.replace(/\[\d+\]/g, '');
      // ffmpeg 5.1 prints the 35 reserved bits of a Main 10 sub-layer profile under the 43-bit name
      if (name === 'sub_layer_reserved_zero_43bits' && l.bits.length === 35) name = 'sub_layer_reserved_zero_35bits';
      return { name: aliases[name] ?? name, pos: l.pos, length: l.bits.length, value: l.value };
    });
  const ours: Comparable[] = locations.map((l) => ({ name: leaf(l.path), pos: l.bitOffset, length: l.bitLength, value: l.value }));
  assert.ok(theirs.length > 0, `${label}: ffmpeg traced nothing`);
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    assert.deepEqual(ours[i], theirs[i], `${label}: element ${i} differs (ours ${JSON.stringify(ours[i])}, ffmpeg ${JSON.stringify(theirs[i])})`);
  }
}
