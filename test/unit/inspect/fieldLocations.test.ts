// The report's codec private data carries where every decoded field is (for the hex view): each
// location's path leads to its value in the JSON, its bytes in the file hold that value, and the
// parameter sets' bit positions are those ffmpeg's trace_headers prints.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { FieldLocation } from '../../../src/formats/bits/syntax';
import type { CodecPrivateReport } from '../../../src/formats/inspect/report';
import { assertMatchesTrace } from '../formats/codecs/helpers/compare';
import { traceFile } from '../formats/codecs/helpers/ffmpeg';
import { FIXTURES, inspectJson } from './cli';

/** The value at a location's path (`sps[0].vui_parameters.time_scale`, `fields.offset_for_ref_frame[2]`). */
function valueAt(root: unknown, path: string): unknown {
  let value = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

/**
 * A fixed-width field's bits read from the file at its location (WAVEFORMATEX words are little-endian);
 * undefined for exp-Golomb codes and for fields with an emulation-prevention byte inside.
 */
function bitsAt(file: Uint8Array, at: FieldLocation, littleEndian: boolean): number | undefined {
  if (!/^([uf]\(\d+\)|WORD|DWORD)$/.test(at.descriptor) || at.bitLength > 32) return undefined;
  const first = at.bitOffset % 8;
  if (at.byteLength !== Math.ceil((first + at.bitLength) / 8)) return undefined;
  const bytes = [...file.subarray(at.byteOffset, at.byteOffset + at.byteLength)];
  const n = (littleEndian ? bytes.reverse() : bytes).reduce((value, b) => value * 256 + b, 0);
  return Math.floor(n / 2 ** (at.byteLength * 8 - first - at.bitLength)) % 2 ** at.bitLength;
}

const SETS: [name: string, title: string][] = [
  ['vps', 'Video Parameter Set'],
  ['sps', 'Sequence Parameter Set'],
  ['pps', 'Picture Parameter Set'],
];

for (const name of ['h264-aac.mkv', 'h264-aac-frag.mp4', 'h264-aac.ts', 'h265-main.mkv', 'h265-main-frag.mp4', 'h265-main.ts', 'h264-alaw.mkv']) {
  test(`${name}: every codec private field's location leads to its value and its bytes`, () => {
    const path = `${FIXTURES}/${name}`;
    const file = new Uint8Array(readFileSync(path));
    const inBand = name.endsWith('.ts');
    let compared = 0;
    for (const track of inspectJson(path).tracks) {
      const cpd: CodecPrivateReport | undefined = track.codecPrivate;
      if (!cpd) continue;
      assert.ok(cpd.locations.length > 3, `${name} track ${track.number}: locations`);
      const paths = cpd.locations.map((at) => at.path);
      for (const at of cpd.locations) {
        const where = `${name} track ${track.number} ${at.path}`;
        // Fields the syntax names alike (the records' `reserved`) keep the last value under their path.
        const unique = paths.indexOf(at.path) === paths.lastIndexOf(at.path);
        if (unique && !at.descriptor.startsWith('bit(') && at.descriptor !== 'GUID') assert.equal(valueAt(cpd, at.path), at.value, where);
        const end = at.byteOffset + at.byteLength;
        if (inBand) assert.ok(at.byteOffset >= 0 && end <= file.length, where);
        else assert.ok(at.byteOffset >= cpd.offset && end <= cpd.offset + cpd.size, `${where}: [${at.byteOffset}, ${end}) outside the codec private data`);
        const inFile = bitsAt(file, at, cpd.type === 'WAVEFORMATEX');
        if (inFile !== undefined) {
          assert.equal(inFile, at.value, `${where}: the file's bytes at ${at.byteOffset}`);
          compared++;
        }
      }
      if (track.kind !== 'video') continue;
      const codec = track.family === 'h265' ? 'h265' : 'h264';
      const trace = traceFile(path);
      for (const [set, title] of SETS) {
        const ours = cpd.locations.filter((at) => at.path.startsWith(`${set}[0].`));
        if (codec === 'h264' && set === 'vps') continue;
        const section = trace.find((s) => s.title === title && s.extradata === !inBand);
        assert.ok(section, `${name}: ffmpeg traced a ${title}`);
        assertMatchesTrace(ours, section.lines, codec, `${name} ${set}`);
      }
    }
    assert.ok(compared > 20, `${name}: only ${compared} fields compared with the file's bytes`);
  });
}
