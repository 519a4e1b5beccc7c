// AC-3 and E-AC-3 in MP4: the channel count comes from the dac3/dec3 box (the sample entry always says 2),
// judged by ffprobe; the boxes' fields by mp4box.js reading the same bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createFile, MP4BoxBuffer } from 'mp4box';
import { bytesSource } from '../../../../src/formats/byteSource';
import { fieldsOf, findBoxes, readIsoBmff, type Box } from '../../../../src/formats/isobmff';
import { inspectJson } from '../../inspect/cli';
import { ffprobe } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'kvs-dolby-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface TheirSubstream {
  fscod: number;
  bsid: number;
  acmod: number;
  lfeon: number;
  num_dep_sub: number;
  chan_loc?: number;
}
interface TheirConfig {
  fscod?: number;
  bsid?: number;
  bsmod?: number;
  acmod?: number;
  lfeon?: number;
  data_rate?: number;
  ind_subs?: TheirSubstream[];
}

/** The dac3 or dec3 of the first track's sample entry, as mp4box.js reads it. */
function theirConfig(bytes: Uint8Array): TheirConfig | undefined {
  const file = createFile(false);
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
  file.flush();
  const entry = (file.moov as unknown as { traks: { mdia: { minf: { stbl: { stsd: { entries: { dac3?: TheirConfig; dec3?: TheirConfig }[] } } } } }[] }).traks[0]?.mdia.minf.stbl.stsd.entries[0];
  return entry?.dac3 ?? entry?.dec3;
}

/** The dac3 or dec3 box of the first track's sample entry. */
function configBox(boxes: readonly Box[], type: 'dac3' | 'dec3'): Box | undefined {
  return findBoxes(boxes, `moov/trak/mdia/minf/stbl/stsd/${type === 'dac3' ? 'ac-3' : 'ec-3'}/${type}`)[0];
}

function encode(name: string, codec: string, layout: string): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=0.3`, '-af', `aformat=channel_layouts=${layout}`, '-c:a', codec, path]);
  return path;
}

const LAYOUTS = [['mono', 1], ['stereo', 2], ['2.1', 3], ['5.1', 6]] as const;

for (const codec of ['ac3', 'eac3'] as const) {
  test(`${codec} in MP4, mono to 5.1: the channels are ffprobe's, and the ${codec === 'ac3' ? 'dac3' : 'dec3'} fields mp4box.js's`, () => {
    for (const [layout, channels] of LAYOUTS) {
      const path = encode(`${codec}-${layout}.mp4`, codec, layout);
      assert.equal(ffprobe(path).streams[0]?.channels, channels, `ffprobe: ${layout}`);
      const bytes = new Uint8Array(readFileSync(path));
      const file = readIsoBmff(bytesSource(bytes));
      assert.equal(file.tracks[0]?.channelCount, channels, layout);
      assert.equal(inspectJson(path).tracks[0]?.channels, channels, `kvs-inspect: ${layout}`);
      const theirs = theirConfig(bytes);
      if (codec === 'ac3') {
        const ours = fieldsOf(configBox(file.boxes, 'dac3'), 'dac3');
        assert.deepEqual(ours && [ours.fscod, ours.bsid, ours.bsmod, ours.acmod, ours.lfeon], [theirs?.fscod, theirs?.bsid, theirs?.bsmod, theirs?.acmod, theirs?.lfeon], layout);
      } else {
        const ours = fieldsOf(configBox(file.boxes, 'dec3'), 'dec3');
        assert.equal(ours?.dataRate, theirs?.data_rate);
        assert.deepEqual(
          ours?.substreams.map((s) => [s.fscod, s.bsid, s.acmod, s.lfeon, s.numDepSub]),
          theirs?.ind_subs?.map((s) => [s.fscod, s.bsid, s.acmod, s.lfeon, s.num_dep_sub]),
          layout,
        );
      }
    }
  });
}

test('an E-AC-3 7.1 dec3 (5.1 plus a dependent substream with Lrs/Rrs): 8 channels, chan_loc as mp4box.js reads it', () => {
  // ffmpeg encodes at most 5.1: give its dec3 a dependent substream. The moov is at the end (no chunk
  // offsets move); the dec3 and the boxes around it grow by the byte chan_loc takes.
  const original = new Uint8Array(readFileSync(encode('eac3-5.1-for-7.1.mp4', 'eac3', '5.1')));
  // The boxes from the moov down to the dec3 (where mp4box.js reads them too, below).
  const path = ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'ec-3', 'dec3'];
  const parents = path.map((_, k) => findBoxes(readIsoBmff(bytesSource(original)).boxes, path.slice(0, k + 1).join('/'))[0]?.offset ?? -1);
  const dec3 = parents.at(-1) ?? -1;
  assert.ok(parents.every((at) => at >= 0), parents.join(' '));
  const entry = dec3 + 10; // the first substream's 3 bytes, after the header and data_rate/num_ind_sub
  const CHAN_LOC_LRS_RRS = 0b10;
  const bytes = new Uint8Array(original.length + 1);
  bytes.set(original.subarray(0, entry + 3));
  bytes[entry + 2] = (original[entry + 2] ?? 0) | (1 << 1) | (CHAN_LOC_LRS_RRS >> 8); // num_dep_sub 1, chan_loc's top bit
  bytes[entry + 3] = CHAN_LOC_LRS_RRS & 0xff;
  bytes.set(original.subarray(entry + 3), entry + 4);
  const view = new DataView(bytes.buffer);
  for (const at of parents) view.setUint32(at, view.getUint32(at) + 1);
  const file = readIsoBmff(bytesSource(bytes));
  assert.equal(file.tracks[0]?.channelCount, 8);
  assert.deepEqual(file.issues, []);
  const ours = fieldsOf(configBox(file.boxes, 'dec3'), 'dec3')?.substreams[0];
  const theirs = theirConfig(bytes)?.ind_subs?.[0];
  assert.deepEqual([ours?.acmod, ours?.lfeon, ours?.numDepSub, ours?.chanLoc], [7, 1, 1, CHAN_LOC_LRS_RRS]);
  assert.deepEqual([theirs?.acmod, theirs?.lfeon, theirs?.num_dep_sub, theirs?.chan_loc], [7, 1, 1, CHAN_LOC_LRS_RRS]);
});
