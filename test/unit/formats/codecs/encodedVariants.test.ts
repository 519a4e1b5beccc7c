// Streams made by libx264/libx265 with options that exercise rarer syntax: every parameter set is
// compared with ffmpeg trace_headers, and display sizes with ffprobe.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeFrameNals, parseH264Pps, parseH264Sps, parseH265Pps, parseH265Sps, parseH265Vps } from '../../../../src/formats/codecs/index';
import type { ParsedSyntax } from '../../../../src/formats/codecs/index';
import { assertMatchesTrace } from './helpers/compare';
import { encode, scratch, splitAnnexB, streamInfo, traceFile } from './helpers/ffmpeg';

const SRC = (size: string): string[] => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`];

const CQM = [
  'INTRA4X4_LUMA =',
  '6,13,20,28,13,20,28,32,20,28,32,37,28,32,37,42',
  'INTRA4X4_CHROMAU =',
  '7,13,20,28,13,20,28,32,20,28,32,37,28,32,37,42',
  'INTER8X8_LUMA =',
  Array.from({ length: 64 }, (_, i) => 9 + (i >> 2)).join(','),
].join('\n');

function hevcScalingFile(): string {
  const lines: string[] = [];
  const mat = (n: number, base: number): string => Array.from({ length: n * n }, (_, i) => Math.min(255, base + (i % n) + Math.floor(i / n))).join(',');
  for (const [size, n] of [
    ['4X4', 4],
    ['8X8', 8],
    ['16X16', 8],
    ['32X32', 8],
  ] as const) {
    for (const mode of ['INTRA', 'INTER']) {
      ['LUMA', 'CHROMAU', 'CHROMAV'].forEach((c, k) => {
        // Inter Cr equal to Inter Cb: the encoder codes it by reference (scaling_list_pred_matrix_id_delta)
        const base = mode === 'INTER' && c === 'CHROMAV' ? 10 + 2 + 5 : 10 + k * 2 + (mode === 'INTER' ? 5 : 0);
        lines.push(`${mode}${size}_${c} =`, mat(n, base));
        if (size === '16X16' || size === '32X32') lines.push(`${mode}${size}_${c}_DC =`, String(base + 1));
      });
    }
  }
  return lines.join('\n');
}

interface Variant {
  name: string;
  codec: 'h264' | 'h265';
  args: () => string[];
}

const VARIANTS: Variant[] = [
  {
    name: 'x264-high444-cqm-hrd-crop-sar',
    codec: 'h264',
    args: () => {
      writeFileSync(scratch('cqm.cfg'), CQM);
      return [
        ...SRC('72x40'),
        '-vf', 'setsar=7/5', '-frames:v', '3', '-c:v', 'libx264', '-profile:v', 'high444', '-pix_fmt', 'yuv444p',
        '-x264-params', `cqmfile=${scratch('cqm.cfg')}:nal-hrd=vbr:vbv-maxrate=500:vbv-bufsize=1000:crop-rect=2,4,6,2:overscan=show:videoformat=pal:colorprim=bt709:transfer=bt709:colormatrix=bt709:chromaloc=1:fullrange=on`,
        '-b:v', '300k', '-f', 'h264',
      ];
    },
  },
  { name: 'x264-gray', codec: 'h264', args: () => [...SRC('70x38'), '-frames:v', '2', '-c:v', 'libx264', '-pix_fmt', 'gray', '-f', 'h264'] },
  {
    name: 'x264-422-interlaced-crop',
    codec: 'h264',
    args: () => [...SRC('76x44'), '-frames:v', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv422p', '-flags', '+ildct+ilme', '-x264-params', 'tff=1', '-f', 'h264'],
  },
  { name: 'x264-baseline-slices', codec: 'h264', args: () => [...SRC('64x64'), '-frames:v', '3', '-c:v', 'libx264', '-profile:v', 'baseline', '-slices', '3', '-f', 'h264'] },
  {
    name: 'x265-422-10-hrd-layers-cropped',
    codec: 'h265',
    args: () => [
      ...SRC('90x46'),
      '-frames:v', '6', '-c:v', 'libx265', '-pix_fmt', 'yuv422p10le',
      '-x265-params', 'log-level=error:hrd=1:vbv-maxrate=500:vbv-bufsize=1000:bframes=3:b-pyramid=1:temporal-layers=1:scaling-list=default',
      '-f', 'hevc',
    ],
  },
  {
    name: 'x265-444-scaling-file-window-sar',
    codec: 'h265',
    args: () => {
      writeFileSync(scratch('sl.txt'), hevcScalingFile());
      return [
        ...SRC('90x46'),
        '-vf', 'setsar=7/5', '-frames:v', '3', '-c:v', 'libx265', '-pix_fmt', 'yuv444p',
        '-x265-params', `log-level=error:scaling-list=${scratch('sl.txt')}:display-window=2,2,4,0:colorprim=bt709:transfer=bt709:colormatrix=bt709:chromaloc=1:slices=2`,
        '-f', 'hevc',
      ];
    },
  },
  { name: 'x265-gray', codec: 'h265', args: () => [...SRC('70x38'), '-frames:v', '2', '-c:v', 'libx265', '-pix_fmt', 'gray', '-x265-params', 'log-level=error', '-f', 'hevc'] },
];

function firstOfType(nals: Uint8Array[], codec: 'h264' | 'h265', type: number): Uint8Array {
  const nal = nals.find((n) => (codec === 'h264' ? (n[0] ?? 0) & 0x1f : ((n[0] ?? 0) >> 1) & 0x3f) === type);
  assert.ok(nal, `stream has NAL type ${type}`);
  return nal;
}

for (const v of VARIANTS) {
  test(`${v.name}: parameter sets equal ffmpeg trace_headers, sizes equal ffprobe`, () => {
    const file = encode(`${v.name}.${v.codec === 'h264' ? 'h264' : 'hevc'}`, v.args());
    const nals = splitAnnexB(readFileSync(file));
    const trace = traceFile(file, v.codec === 'h264' ? 'h264' : 'hevc');
    const check = (title: string, parsed: ParsedSyntax<unknown>): void => {
      const section = trace.find((s) => s.title === title);
      assert.ok(section, `ffmpeg traced a ${title}`);
      assert.deepEqual(parsed.issues, [], `${v.name} ${title}`);
      assertMatchesTrace(parsed.locations, section.lines, v.codec, `${v.name} ${title}`);
    };
    const info = streamInfo(file);
    if (v.codec === 'h264') {
      const sps = parseH264Sps(firstOfType(nals, 'h264', 7));
      check('Sequence Parameter Set', sps);
      check('Picture Parameter Set', parseH264Pps(firstOfType(nals, 'h264', 8), 0, sps));
      assert.equal(sps.derived.displayWidth, Number(info.width));
      assert.equal(sps.derived.displayHeight, Number(info.height));
    } else {
      check('Video Parameter Set', parseH265Vps(firstOfType(nals, 'h265', 32)));
      const sps = parseH265Sps(firstOfType(nals, 'h265', 33));
      check('Sequence Parameter Set', sps);
      check('Picture Parameter Set', parseH265Pps(firstOfType(nals, 'h265', 34)));
      assert.equal(sps.derived.displayWidth, Number(info.width));
      assert.equal(sps.derived.displayHeight, Number(info.height));
    }
    // the whole raw stream is one Annex-B frame sequence; the framing analysis finds every NAL unit
    const frame = analyzeFrameNals(readFileSync(file), { codec: v.codec, expected: 'annex-b' });
    assert.equal(frame.framing, 'annex-b');
    assert.equal(frame.nalUnits.length, nals.length);
  });
}

test('derived values of the encoded variants', () => {
  const h444 = parseH264Sps(firstOfType(splitAnnexB(readFileSync(scratch('x264-high444-cqm-hrd-crop-sar.h264'))), 'h264', 7));
  assert.deepEqual(h444.derived.sampleAspectRatio, [7, 5]);
  assert.equal(h444.derived.CropUnitX, 1);
  assert.equal(h444.derived.nalHrd?.schedules.length, 1);
  const gray = parseH264Sps(firstOfType(splitAnnexB(readFileSync(scratch('x264-gray.h264'))), 'h264', 7));
  assert.equal(gray.derived.chroma_format_idc, 0);
  assert.equal(gray.derived.ChromaArrayType, 0);
  const hevc = parseH265Sps(firstOfType(splitAnnexB(readFileSync(scratch('x265-422-10-hrd-layers-cropped.hevc'))), 'h265', 33));
  assert.equal(hevc.fields.sps_max_sub_layers_minus1, 1);
  assert.equal(hevc.derived.SubHeightC, 1);
  assert.deepEqual(hevc.derived.conformanceWindow, { left: 0, right: 6, top: 0, bottom: 2 });
  assert.equal(hevc.derived.profileName, 'Main 4:2:2 10');
  assert.equal(hevc.derived.hrd?.nal, true);
  assert.equal(hevc.derived.hrd?.subLayers.length, 2);
  const h265444 = parseH265Sps(firstOfType(splitAnnexB(readFileSync(scratch('x265-444-scaling-file-window-sar.hevc'))), 'h265', 33));
  assert.deepEqual(h265444.derived.defaultDisplayWindow, { left: 2, right: 4, top: 2, bottom: 0 });
  assert.deepEqual(h265444.derived.sampleAspectRatio, [7, 5]);
  assert.ok(h265444.derived.scalingLists);
  assert.equal(h265444.derived.scalingLists.dc[0]?.[0], 11);
});
