// Deterministic mutation fuzzing of every parser in src/formats/codecs: nothing may throw or hang.
import assert from 'node:assert/strict';
import { fuzzRunsLeft, fuzzTest, type FuzzProbe } from '../../../support/fuzz';
import {
  analyzeFrameNals,
  avcCodecStringFromRecord,
  buildParameterSetReference,
  checkAacCodecPrivate,
  checkVideoCodecPrivate,
  checkWaveFormatCodecPrivate,
  hevcCodecStringFromRecord,
  parseBitmapInfoHeader,
  parseAdtsHeader,
  parseAudioSpecificConfig,
  parseAvcDecoderConfigurationRecord,
  parseH264Pps,
  parseH264Sps,
  parseH265Pps,
  parseH265Sps,
  parseH265Vps,
  parseHevcDecoderConfigurationRecord,
  parseWaveFormatEx,
  readAc3FrameInfo,
  readLatmStreamMuxConfig,
  readMpegAudioFrameInfo,
  recordParameterSets,
} from '../../../../src/formats/codecs/index';
import { extradata, media, packets } from './helpers/ffmpeg';

/** xorshift32: the same sequence on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  let b = Array.from(input);
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rand() * Math.max(1, b.length));
    switch (Math.floor(rand() * 7)) {
      case 0:
        if (b.length) b[at] = (b[at] ?? 0) ^ (1 << Math.floor(rand() * 8));
        break;
      case 1:
        if (b.length) b[at] = Math.floor(rand() * 256);
        break;
      case 2:
        b.splice(at, 0, Math.floor(rand() * 256));
        break;
      case 3:
        b.splice(at, 1 + Math.floor(rand() * 8));
        break;
      case 4:
        b = b.slice(0, at);
        break;
      case 5:
        b.splice(at, 0, ...b.slice(at, at + 1 + Math.floor(rand() * 16)));
        break;
      default:
        b.fill(rand() < 0.5 ? 0 : 0xff, at, at + 1 + Math.floor(rand() * 6));
    }
  }
  return Uint8Array.from(b);
}

type Target = [name: string, seed: Uint8Array, run: (b: Uint8Array) => unknown];

/** The parsers and their seeds (made from the fixtures by ffmpeg; in the worker only). */
function makeTargets(): Target[] {
  const avcc = extradata(media('h264-high.mkv'));
  const avcc422 = extradata(media('h264-high422-10bit.mkv'));
  const hvcc = extradata(media('h265-main.mkv')).subarray(0, 160);
  const avcRecord = parseAvcDecoderConfigurationRecord(avcc);
  const hvcRecord = parseHevcDecoderConfigurationRecord(hvcc);
  const nal = (cpd: Uint8Array, s: { offset: number; length: number }): Uint8Array => cpd.subarray(s.offset, s.offset + s.length);
  const firstSps = avcRecord.sps[0];
  const frame264 = packets(media('h264-main-bframes.mkv'), 1)[0]?.data ?? new Uint8Array(0);
  const frame265 = packets(media('h265-main.ts'), 1)[0]?.data.subarray(0, 600) ?? new Uint8Array(0);
  return [
    ['H.264 SPS', firstSps ? nal(avcc, firstSps) : new Uint8Array(0), (b) => parseH264Sps(b)],
    ['H.264 PPS', avcRecord.pps[0] ? nal(avcc, avcRecord.pps[0]) : new Uint8Array(0), (b) => parseH264Pps(b, 0, firstSps)],
    ['H.265 VPS', hvcRecord.vps[0] ? nal(hvcc, hvcRecord.vps[0]) : new Uint8Array(0), (b) => parseH265Vps(b)],
    ['H.265 SPS', hvcRecord.sps[0] ? nal(hvcc, hvcRecord.sps[0]) : new Uint8Array(0), (b) => parseH265Sps(b)],
    ['H.265 PPS', hvcRecord.pps[0] ? nal(hvcc, hvcRecord.pps[0]) : new Uint8Array(0), (b) => parseH265Pps(b)],
    ['avcC', avcc, (b) => [parseAvcDecoderConfigurationRecord(b), avcCodecStringFromRecord(parseAvcDecoderConfigurationRecord(b)), checkVideoCodecPrivate('h264', b)]],
    ['avcC 4:2:2', avcc422, (b) => checkVideoCodecPrivate('h264', b)],
    [
      'hvcC',
      hvcc,
      (b) => {
        const r = parseHevcDecoderConfigurationRecord(b);
        return [r, hevcCodecStringFromRecord(r), checkVideoCodecPrivate('h265', b), buildParameterSetReference('h265', recordParameterSets(b, r))];
      },
    ],
    ['ASC', Uint8Array.of(0x2b, 0x92, 0x08, 0x00), (b) => [parseAudioSpecificConfig(b), checkAacCodecPrivate(b)]],
    ['ASC sync', Uint8Array.of(0x11, 0x88, 0x56, 0xe5, 0x00), (b) => parseAudioSpecificConfig(b)],
    ['WAVEFORMATEX', Uint8Array.of(6, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0, 0, 0), (b) => [parseWaveFormatEx(b), checkWaveFormatCodecPrivate(b)]],
    ['BITMAPINFOHEADER', Uint8Array.of(44, 0, 0, 0, 0x40, 1, 0, 0, 0xf0, 0, 0, 0, 1, 0, 24, 0, 0x57, 0x4d, 0x56, 0x32, 0, 0x84, 3, 0, ...new Array<number>(16).fill(0), 0x50, 0xc3, 0xb4, 0x80), (b) => parseBitmapInfoHeader(b)],
    ['ADTS', Uint8Array.of(0xff, 0xf1, 0x4c, 0x80, 0x2e, 0x7f, 0xfc, 0x21), (b) => parseAdtsHeader(b)],
    ['MPEG audio header', Uint8Array.of(0xff, 0xfd, 0xc4, 0x04), (b) => readMpegAudioFrameInfo(b)],
    ['AC-3 header', Uint8Array.of(0x0b, 0x77, 0x12, 0x34, 0x1c, 0x40, 0xe1, 0xff), (b) => readAc3FrameInfo(b)],
    ['LATM StreamMuxConfig', Uint8Array.of(0x56, 0xe0, 0x06, 0x20, 0x00, 0x11, 0x90, 0x1f, 0xe0), (b) => readLatmStreamMuxConfig(b)],
    ['E-AC-3 header', Uint8Array.of(0x0b, 0x77, 0x00, 0xbf, 0x34, 0x65, 0xff, 0xff), (b) => readAc3FrameInfo(b)],
    ['H.264 frame', frame264, (b) => [analyzeFrameNals(b, { codec: 'h264', expected: 4 }), analyzeFrameNals(b, { codec: 'h264', expected: 'annex-b' })]],
    ['H.265 frame', frame265, (b) => [analyzeFrameNals(b, { codec: 'h265', expected: 'annex-b' }), analyzeFrameNals(b, { codec: 'h265', expected: 4 })]],
  ];
}

export function codecFuzz(probe: FuzzProbe): string {
  const targets = makeTargets();
  const rand = rng(0x6b766931);
  const more = fuzzRunsLeft(targets.length * 50, 40_000, 2500);
  let runs = 0;
  let slowest = 0;
  for (let i = 0; more(i); i++) {
    const target = targets[i % targets.length];
    assert.ok(target);
    const [name, seed, run] = target;
    assert.ok(seed.length > 0, `${name} has a seed`);
    const input = mutate(seed, rand);
    probe.input(`${name} run ${i}`, input);
    const t0 = performance.now();
    JSON.stringify(run(input));
    const took = performance.now() - t0;
    slowest = Math.max(slowest, took);
    assert.ok(took < 200, `${name} took ${took.toFixed(1)} ms on ${Buffer.from(input).toString('hex')}`);
    runs++;
  }
  probe.done();
  return `codec fuzz: ${runs} runs, slowest ${slowest.toFixed(1)} ms`;
}

fuzzTest('mutation fuzz: every parser returns (JSON-serialisable) results for damaged input, within time', __filename, codecFuzz, undefined);
