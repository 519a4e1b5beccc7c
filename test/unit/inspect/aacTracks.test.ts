// AAC tracks as the built kvs-inspect reports them: real frames from ffmpeg and mkvmerge, hand-made
// AudioSpecificConfigs patched in where no encoder writes them, ffprobe as the judge.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BitWriter } from '../formats/codecs/helpers/bitWriter';
import { extradata } from '../formats/codecs/helpers/ffmpeg';
import { FIXTURES, ffprobePackets, ffprobeStreams, inspectJson } from './cli';
import { editAudioTrack } from './helpers/mkvmergeTrack';

function scratchDir(t: { after(fn: () => void): void }, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kvs-inspect-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** 2 s of ffmpeg AAC LC at 48 kHz stereo, remuxed by mkvmerge: 8 frames laced in each block, DefaultDuration 21.333 ms. */
function mkvmergeAac(dir: string): string {
  const encoded = join(dir, 'ffmpeg.mkv');
  const laced = join(dir, 'laced.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2', '-ac', '2', '-c:a', 'aac', '-y', encoded]);
  execFileSync('mkvmerge', ['--quiet', '-o', laced, encoded]);
  return laced;
}

/**
 * A copy of an mkvmerge file with another audio CodecPrivate; without DefaultDuration when asked, so that
 * laced frames are timed by what the config says.
 */
function withCodecPrivate(file: string, name: string, config: Uint8Array, withoutDefaultDuration = false): string {
  const out = join(file, '..', name);
  writeFileSync(out, editAudioTrack(readFileSync(file), { codecPrivate: config, withoutDefaultDuration }));
  return out;
}

function ffprobeFrameSamples(file: string): number[] {
  const csv = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a', '-show_frames', '-show_entries', 'frame=nb_samples', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return csv.trim().split('\n').map(Number);
}

test('downsampled SBR (extension rate = core rate, 48 kHz): 1024 samples per frame as ffprobe decodes it, laced frames timed 21.333 ms apart', (t) => {
  const dir = scratchDir(t, 'ds-sbr');
  const source = mkvmergeAac(dir);
  // The frames' times ffprobe gives with mkvmerge's DefaultDuration: the same frames, whatever the config says.
  const expected = ffprobePackets(source).map((packet) => Number(packet.pts_time) * 1000);
  const configs = {
    // Backward-compatible: the core config, then syncExtensionType 0x2b7, SBR, sbrPresentFlag 1, extension index 3 (48000).
    'sync extension': new BitWriter().u(5, 2).u(4, 3).u(4, 2).u(3, 0).u(11, 0x2b7).u(5, 5).u(1, 1).u(4, 3).align().bytes(),
    // Hierarchical: audioObjectType 5, 48000, stereo, extension 48000, core AAC LC.
    'audioObjectType 5': new BitWriter().u(5, 5).u(4, 3).u(4, 2).u(4, 3).u(5, 2).u(3, 0).align().bytes(),
  };
  for (const [form, config] of Object.entries(configs)) {
    const file = withCodecPrivate(source, `${form.replace(/\W+/g, '-')}.mkv`, config, true);
    const report = inspectJson(file, '--frames');
    const track = report.tracks[0];
    assert.deepEqual([track?.codecName, track?.sampleRate], ['HE-AAC (AAC LC + SBR)', 48000], form);
    assert.deepEqual(new Set(ffprobeFrameSamples(file)), new Set([track?.samplesPerFrame]), `${form}: ffprobe decodes frames of ${track?.samplesPerFrame} samples`);
    const times = (report.frames ?? []).map((frame) => frame.ptsMs);
    assert.equal(times.length, expected.length, form);
    times.forEach((ms, i) => assert.ok(Math.abs(ms - (expected[i] ?? NaN)) < 0.01, `${form}: frame ${i} at ${ms} ms, ffprobe ${expected[i]} ms`));
    const timing = report.issues.filter((found) => /BACKWARDS|OVERLAP|GAP/.test(found.code));
    assert.deepEqual(timing.map((found) => found.code), [], form);
  }
});

test('a config that names no audio coder (null object, reserved type, SBR over SBR or over nothing) is CODEC_PRIVATE_INVALID, without a codec string: ffprobe cannot open it', (t) => {
  const dir = scratchDir(t, 'aot');
  const source = mkvmergeAac(dir);
  assert.equal(ffprobeExit(source), 0);
  const configs: Record<string, [config: Uint8Array, field: string]> = {
    'audioObjectType 0': [new BitWriter().u(5, 0).u(4, 3).u(4, 2).u(3, 0).align().bytes(), 'audioObjectType 0 (bit 0) is the null object'],
    'audioObjectType 18': [new BitWriter().u(5, 18).u(4, 3).u(4, 2).u(3, 0).align().bytes(), 'audioObjectType 18 (bit 0) is reserved'],
    'SBR over SBR': [new BitWriter().u(5, 5).u(4, 3).u(4, 2).u(4, 3).u(5, 5).u(3, 0).align().bytes(), 'coreAudioObjectType 5 (bit 17), the core coder under audioObjectType 5, is SBR (HE-AAC) again'],
    'PS over the null object': [new BitWriter().u(5, 29).u(4, 3).u(4, 1).u(4, 3).u(5, 0).u(3, 0).align().bytes(), 'coreAudioObjectType 0 (bit 17), the core coder under audioObjectType 29, is the null object'],
  };
  for (const [form, [config, message]] of Object.entries(configs)) {
    const file = withCodecPrivate(source, `${form.replace(/\W+/g, '-')}.mkv`, config);
    assert.notEqual(ffprobeExit(file), 0, `${form}: ffprobe opens no decoder`);
    const report = inspectJson(file);
    assert.equal(report.tracks[0]?.codec, undefined, form);
    const invalid = report.issues.filter((found) => found.code === 'CODEC_PRIVATE_INVALID');
    assert.equal(invalid.length, 1, form);
    assert.ok(invalid[0]?.message.includes(message), `${form}: ${invalid[0]?.message}`);
    assert.equal(invalid[0]?.severity, 'error');
    assert.equal(invalid[0]?.offset, (report.tracks[0]?.codecPrivate?.offset ?? NaN) + (form.startsWith('audioObjectType') ? 0 : 2), `${form}: at the object type's byte`);
  }
});

function ffprobeExit(file: string): number | null {
  return spawnSync('ffprobe', ['-v', 'quiet', '-show_streams', file]).status;
}

test('explicit HE-AAC and HE-AAC v2 configs (4 and 7 bytes): the 5-byte form the hint gives decodes as they do in ffprobe, and KVS takes its length', (t) => {
  const dir = scratchDir(t, 'he-aac-length');
  const remux = (fixture: string) => {
    const file = join(dir, fixture);
    execFileSync('mkvmerge', ['--quiet', '-o', file, `${FIXTURES}/${fixture}`]);
    return file;
  };
  const heAac = remux('h264-he-aac.mkv'); // AAC LC 22050 Hz stereo, SBR to 44100 Hz
  const heAacV2 = remux('h264-he-aacv2.mkv'); // AAC LC 22050 Hz mono, SBR to 44100 Hz, PS
  const explicit = {
    'audioObjectType 5': [heAac, new BitWriter().u(5, 5).u(4, 7).u(4, 2).u(4, 4).u(5, 2).u(3, 0).align().bytes()],
    'audioObjectType 29': [heAacV2, new BitWriter().u(5, 29).u(4, 7).u(4, 1).u(4, 4).u(5, 2).u(3, 0).align().bytes()],
    'sync extensions 0x2b7 and 0x548': [heAacV2, new BitWriter().u(5, 2).u(4, 7).u(4, 1).u(3, 0).u(11, 0x2b7).u(5, 5).u(1, 1).u(4, 4).u(11, 0x548).u(1, 1).align().bytes()],
  } as const;
  for (const [form, [source, config]] of Object.entries(explicit)) {
    const name = form.replace(/\W+/g, '-');
    const file = withCodecPrivate(source, `${name}.mkv`, config);
    const [length] = inspectJson(file).issues.filter((found) => found.code === 'AAC_CODEC_PRIVATE_LENGTH');
    const suggested = /\b([0-9a-f]{2}(?: [0-9a-f]{2}){4})\b/.exec(length?.hint ?? '')?.[1];
    assert.ok(suggested, `${form}: ${length?.hint}`);
    const compact = withCodecPrivate(source, `${name}-5.mkv`, Uint8Array.from(suggested.split(' '), (b) => Number.parseInt(b, 16)));
    assert.deepEqual(ffprobeAudio(compact), ffprobeAudio(file), `${form}: ${suggested} decodes as ${config.length} bytes do`);
    assert.ok(!inspectJson(compact).issues.some((found) => found.code === 'AAC_CODEC_PRIVATE_LENGTH'), form);
  }
  assert.deepEqual(ffprobeAudio(withCodecPrivate(heAacV2, 'v2.mkv', explicit['audioObjectType 29'][1])), { profile: 'HE-AACv2', sample_rate: '44100', channels: 2, nb_samples: [2048] });
});

/** What ffprobe decodes of the audio: profile, rate, channels and the frames' lengths. */
function ffprobeAudio(file: string): { profile?: string; sample_rate?: string; channels?: number; nb_samples: number[] } {
  const stream = ffprobeStreams(file).find((found) => found.codec_type === 'audio');
  return { profile: stream?.profile, sample_rate: stream?.sample_rate, channels: stream?.channels, nb_samples: [...new Set(ffprobeFrameSamples(file))] };
}

test('an explicit 24-bit sampling frequency and channelConfiguration 11 to 14 are KVS producer warnings; a samplingFrequency of 0 is CODEC_PRIVATE_INVALID', (t) => {
  const dir = scratchDir(t, 'producer-limits');
  const source = mkvmergeAac(dir);
  const lc = (index: number, channels: number, rate?: number) => new BitWriter().u(5, 2).u(4, index).u(index === 15 ? 24 : 0, rate ?? 0).u(4, channels).u(3, 0).align().bytes();
  const inspectConfig = (name: string, config: Uint8Array) => {
    const file = withCodecPrivate(source, `${name}.mkv`, config);
    return { file, report: inspectJson(file) };
  };
  const explicit = inspectConfig('rate-48000', lc(15, 2, 48000));
  assert.notEqual(ffprobeExit(explicit.file), 0, 'ffprobe refuses samplingFrequencyIndex 15');
  assert.deepEqual(explicit.report.issues.map((found) => [found.severity, found.code]), [['warning', 'AAC_PRODUCER_SAMPLING_FREQUENCY']]);
  assert.equal(explicit.report.issues[0]?.hint, '48000 Hz has samplingFrequencyIndex 3: code the rate by it.');
  assert.equal(explicit.report.tracks[0]?.sampleRate, 48000);
  const zero = inspectConfig('rate-0', lc(15, 2, 0));
  assert.deepEqual(zero.report.issues.map((found) => [found.severity, found.code]), [['error', 'CODEC_PRIVATE_INVALID']]);
  assert.match(zero.report.issues[0]?.message ?? '', /samplingFrequency is 0 .*: there is no rate to decode at/);
  for (const channelConfiguration of [11, 12, 13, 14]) {
    const { file, report } = inspectConfig(`channels-${channelConfiguration}`, lc(3, channelConfiguration));
    assert.deepEqual(report.issues.map((found) => [found.severity, found.code]), [['warning', 'AAC_PRODUCER_CHANNEL_CONFIGURATION']], `channelConfiguration ${channelConfiguration}`);
    // ffprobe (FFmpeg 5.1) opens 11 to 13 and refuses 14, which it has no layout for.
    if (channelConfiguration === 14) assert.notEqual(ffprobeExit(file), 0);
    else assert.equal(report.tracks[0]?.channels, ffprobeStreams(file)[0]?.channels, `channelConfiguration ${channelConfiguration}: ffprobe's channels`);
  }
  // The configurations the producers take raise nothing.
  assert.deepEqual(inspectConfig('channels-7', lc(3, 7)).report.issues, []);
});

test('an escaped audioObjectType (ER AAC ELD, USAC) is a KVS producer warning that says what the SDKs would read at their fixed bits', (t) => {
  const dir = scratchDir(t, 'producer-object-type');
  const source = mkvmergeAac(dir);
  // audioObjectType 31, audioObjectTypeExt, samplingFrequencyIndex, channelConfiguration, then the type's
  // specific config (not decoded; a zero byte stands for it).
  const escaped = (type: number, index: number, channels: number) => new BitWriter().u(5, 31).u(6, type - 32).u(4, index).u(4, channels).u(5, 0).u(8, 0).align().bytes();
  const cases = { 'eld-48000-stereo': escaped(39, 3, 2), 'usac-44100-mono': escaped(42, 4, 1), 'type-32-8000-stereo': escaped(32, 11, 2) };
  const found: Record<string, [string | undefined, number | undefined, string[] | undefined]> = {};
  for (const [name, config] of Object.entries(cases)) {
    const report = inspectJson(withCodecPrivate(source, `${name}.mkv`, config));
    const warning = report.issues.find((candidate) => candidate.code === 'AAC_PRODUCER_OBJECT_TYPE');
    found[name] = [warning?.severity, warning?.offset, warning?.message.match(/would find (\d+) and (\d+) there .*: they would write (.+?)(?: \(no .*)?\.$/)?.slice(1)];
  }
  const codecPrivateAt = inspectJson(withCodecPrivate(source, 'lc.mkv', new BitWriter().u(5, 2).u(4, 3).u(4, 2).u(3, 0).align().bytes())).tracks[0]?.codecPrivate?.offset;
  // ELD 39 = 31 + 000111: bits 5-8 read 0001, bits 9-12 read 11 and the top 2 bits of index 3 (00): 12.
  // USAC 42 = 31 + 001010: 0010 and 10 + 01 (index 4): 9. Type 32 = 31 + 000000: 0000, then 00 + 10 (index 11): 2.
  assert.deepEqual(found, {
    'eld-48000-stereo': ['warning', codecPrivateAt, ['1', '12', 'the track without its Audio element']],
    'usac-44100-mono': ['warning', codecPrivateAt, ['2', '9', 'the track without its Audio element']],
    'type-32-8000-stereo': ['warning', codecPrivateAt, ['0', '2', 'SamplingFrequency 96000 Hz and Channels 2']],
  });
});

test('A_AAC/MPEG4/LC/SBR (no CodecPrivate): SBR runs at OutputSamplingFrequency, which defaults to SamplingFrequency, as ffprobe decodes it', (t) => {
  const dir = scratchDir(t, 'legacy-sbr');
  const heAac = join(dir, 'he-aac.mkv'); // SamplingFrequency 22050, OutputSamplingFrequency 44100
  execFileSync('mkvmerge', ['--quiet', '-o', heAac, `${FIXTURES}/h264-he-aac.mkv`]);
  const lc48 = mkvmergeAac(dir); // SamplingFrequency 48000, no OutputSamplingFrequency
  const cases = { 'he-aac': [heAac, false], 'he-aac-no-output-rate': [heAac, true], 'lc-48000': [lc48, false] } as const;
  const found: Record<string, unknown> = {};
  for (const [name, [source, withoutOutputSamplingFrequency]] of Object.entries(cases)) {
    const file = join(dir, `legacy-${name}.mkv`);
    writeFileSync(file, editAudioTrack(readFileSync(source), { codecId: 'A_AAC/MPEG4/LC/SBR', codecPrivate: null, withoutOutputSamplingFrequency }));
    const track = inspectJson(file).tracks.find((candidate) => candidate.kind === 'audio');
    const probed = ffprobeAudio(file);
    assert.deepEqual([track?.sampleRate, [track?.samplesPerFrame]], [Number(probed.sample_rate), probed.nb_samples], name);
    found[name] = track?.sampleRate;
  }
  assert.deepEqual(found, { 'he-aac': 44100, 'he-aac-no-output-rate': 22050, 'lc-48000': 48000 });
});

test('AAC in ADTS (MPEG-TS) cannot signal SBR or PS: an AAC LC core at up to 24 kHz is noted with what decoders put out if the frames carry them, as ffprobe decodes HE-AAC', (t) => {
  const dir = scratchDir(t, 'adts-sbr');
  const toTs = (input: string, name: string, args: string[] = ['-c', 'copy']) => {
    const file = join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-i', input, '-map', '0:a', ...args, '-y', file]);
    return file;
  };
  const spaced = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const heAac = toTs(`${FIXTURES}/h264-he-aac.mkv`, 'he-aac.ts');
  const heAacV2 = toTs(`${FIXTURES}/h264-he-aacv2.mkv`, 'he-aacv2.ts');
  for (const [file, coreChannels] of [[heAac, 2], [heAacV2, 1]] as const) {
    const probed = ffprobeAudio(file);
    assert.deepEqual([probed.profile?.startsWith('HE-AAC'), probed.sample_rate, probed.channels], [true, '44100', 2], file);
    const report = inspectJson(file);
    const [track] = report.tracks;
    assert.deepEqual([track?.codecName, track?.sampleRate, track?.channels], ['AAC LC', 22050, coreChannels], 'the core, which is all the header says');
    assert.deepEqual(report.issues.map((found) => [found.severity, found.code, found.offset]), [['info', 'AAC_SBR_NOT_SIGNALLED', track?.codecPrivate?.offset]]);
    const [note] = report.issues;
    assert.ok(note?.message.includes(`If the frames carry SBR, decoders put out ${probed.sample_rate} Hz${coreChannels === 1 ? `, and ${probed.channels} channels if they carry PS` : ';'}`), note?.message);
  }
  // The hint's 5-byte config is the one ffmpeg writes in Matroska for the same HE-AAC.
  const [note] = inspectJson(heAac).issues;
  assert.ok(note?.hint?.includes(`the 5-byte form ${spaced(extradata(`${FIXTURES}/h264-he-aac.mkv`, 'a:0'))} `), note?.hint);
  // AAC LC has the same headers (a note, not a finding); above 24 kHz no SBR core, no note.
  const lc22k = toTs(`${FIXTURES}/h264-aac.mkv`, 'lc-22050.ts', ['-c:a', 'aac', '-ar', '22050']);
  assert.equal(ffprobeAudio(lc22k).profile, 'LC');
  assert.deepEqual(inspectJson(lc22k).issues.map((found) => found.code), ['AAC_SBR_NOT_SIGNALLED']);
  assert.deepEqual(inspectJson(`${FIXTURES}/h264-aac.ts`).issues.filter((found) => found.code.startsWith('AAC_')), []);
});

