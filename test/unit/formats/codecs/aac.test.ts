import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aacCodecString, aacDecoderOutput, adtsToAudioSpecificConfig, checkAacCodecPrivate, parseAdtsHeader, parseAudioSpecificConfig, readAdtsFrameInfo } from '../../../../src/formats/codecs/index';
import { decodeCodecPrivate } from '../../../../src/formats/inspect/codecPrivate';
import { BitWriter } from './helpers/bitWriter';
import { dashCodecs, encode, extradata, media, packets, streamInfo } from './helpers/ffmpeg';

test('AAC LC AudioSpecificConfig of the fixtures (MKV, MP4) with the explicit "no SBR" extension ffmpeg writes', () => {
  for (const file of ['h264-aac.mkv', 'h264-aac.mp4', 'h264-aac-frag.mp4']) {
    const cpd = extradata(media(file), 'a:0');
    assert.deepEqual([...cpd], [0x11, 0x88, 0x56, 0xe5, 0x00], file);
    const asc = parseAudioSpecificConfig(cpd, 40);
    assert.deepEqual(asc.issues, [], file);
    const info = streamInfo(media(file), 'a:0');
    assert.equal(asc.derived.sampleRate, Number(info.sample_rate));
    assert.equal(asc.derived.channels, Number(info.channels));
    assert.equal(info.profile, 'LC');
    assert.equal(asc.fields.audioObjectType, 2);
    assert.equal(asc.fields.samplingFrequencyIndex, 3);
    assert.equal(asc.fields.channelConfiguration, 1);
    assert.deepEqual(asc.fields.GASpecificConfig, { frameLengthFlag: 0, dependsOnCoreCoder: 0, extensionFlag: 0 });
    assert.deepEqual(asc.fields.syncExtensionType, [0x2b7]);
    assert.equal(asc.fields.extensionAudioObjectType, 5);
    assert.equal(asc.fields.sbrPresentFlag, 0);
    assert.equal(asc.derived.sbrPresentFlag, 0);
    assert.equal(asc.derived.sbrSignalling, 'backward-compatible');
    assert.equal(asc.derived.frameLength, 1024);
    assert.equal(aacCodecString(asc), 'mp4a.40.2');
    // locations are absolute: channelConfiguration is bits 9..12, in bytes 41 and 42
    const ch = asc.locations.find((l) => l.path === 'channelConfiguration');
    assert.deepEqual(ch && [ch.bitOffset, ch.bitLength, ch.byteOffset, ch.byteLength], [9, 4, 41, 1]);
    const sync = asc.locations.find((l) => l.path === 'syncExtensionType[0]');
    assert.deepEqual(sync && [sync.bitOffset, sync.bitLength, sync.byteOffset, sync.byteLength], [16, 11, 42, 2]);
  }
});

test('mp4a codec string equals the CODECS ffmpeg writes into a DASH manifest', () => {
  const codecs = dashCodecs(media('h264-aac.mkv'), 'aac-dash');
  const asc = parseAudioSpecificConfig(extradata(media('h264-aac.mkv'), 'a:0'));
  assert.ok(codecs.includes(aacCodecString(asc) ?? ''), codecs.join());
});

test('HE-AAC with explicit hierarchical signalling (2B 92 08 00): AOT 5, core AAC LC at 22050 Hz, SBR at 44100 Hz', () => {
  const asc = parseAudioSpecificConfig(Uint8Array.of(0x2b, 0x92, 0x08, 0x00));
  assert.deepEqual(asc.issues, []);
  assert.equal(asc.fields.audioObjectType, 5);
  assert.equal(asc.fields.coreAudioObjectType, 2);
  assert.equal(asc.fields.extensionSamplingFrequencyIndex, 4);
  assert.equal(asc.derived.signalledObjectType, 5);
  assert.equal(asc.derived.objectType, 2);
  assert.equal(asc.derived.objectTypeName, 'AAC LC');
  assert.equal(asc.derived.sampleRate, 22050);
  assert.equal(asc.derived.extensionSampleRate, 44100);
  assert.equal(asc.derived.channels, 2);
  assert.equal(asc.derived.sbrPresentFlag, 1);
  assert.equal(asc.derived.psPresentFlag, -1);
  assert.equal(asc.derived.sbrSignalling, 'hierarchical');
  assert.equal(aacCodecString(asc), 'mp4a.40.5');
});

test('HE-AAC v2 (PS) with hierarchical signalling: AOT 29', () => {
  const w = new BitWriter().u(5, 29).u(4, 6).u(4, 1).u(4, 3).u(5, 2).u(3, 0).align();
  const asc = parseAudioSpecificConfig(w.bytes());
  assert.deepEqual(asc.issues, []);
  assert.equal(asc.derived.psPresentFlag, 1);
  assert.equal(asc.derived.sbrPresentFlag, 1);
  assert.equal(asc.derived.sampleRate, 24000);
  assert.equal(asc.derived.extensionSampleRate, 48000);
  assert.equal(asc.derived.objectTypeName, 'AAC LC');
  assert.equal(aacCodecString(asc), 'mp4a.40.29');
});

test('HE-AAC v2 with backward-compatible signalling: sync extensions 0x2b7 (SBR) and 0x548 (PS) after an AAC LC config', () => {
  const w = new BitWriter().u(5, 2).u(4, 6).u(4, 2).u(3, 0).u(11, 0x2b7).u(5, 5).u(1, 1).u(4, 3).u(11, 0x548).u(1, 1).align();
  const asc = parseAudioSpecificConfig(w.bytes());
  assert.deepEqual(asc.issues, []);
  assert.deepEqual(asc.fields.syncExtensionType, [0x2b7, 0x548]);
  assert.equal(asc.fields.psPresentFlag, 1);
  assert.equal(asc.derived.signalledObjectType, 2);
  assert.equal(asc.derived.extensionAudioObjectType, 5);
  assert.equal(asc.derived.sbrPresentFlag, 1);
  assert.equal(asc.derived.psPresentFlag, 1);
  assert.equal(asc.derived.sbrSignalling, 'backward-compatible');
  assert.equal(asc.derived.extensionSampleRate, 48000);
  // backward-compatible signalling keeps the LC codec string so that LC-only decoders accept the stream
  assert.equal(aacCodecString(asc), 'mp4a.40.2');
});

test('escape values: audioObjectType 31 + audioObjectTypeExt, samplingFrequencyIndex 15 + explicit rate', () => {
  const usac = parseAudioSpecificConfig(new BitWriter().u(5, 31).u(6, 10).u(4, 15).u(24, 22000).u(4, 2).align().bytes());
  assert.equal(usac.fields.audioObjectTypeExt, 10);
  assert.equal(usac.derived.signalledObjectType, 42);
  assert.equal(usac.derived.objectTypeName, 'USAC');
  assert.equal(usac.fields.samplingFrequency, 22000);
  assert.equal(usac.derived.sampleRate, 22000);
  assert.equal(aacCodecString(usac), 'mp4a.40.42');
  assert.deepEqual(
    usac.issues.map((i) => i.code),
    ['AAC_ASC_SPECIFIC_CONFIG'],
  );
});

test('an explicit samplingFrequency of 0 is an error: no rate to decode at', () => {
  const asc = parseAudioSpecificConfig(new BitWriter().u(5, 2).u(4, 15).u(24, 0).u(4, 2).u(3, 0).align().bytes(), 10);
  // At samplingFrequency, whose 24 bits begin in byte 1.
  assert.deepEqual(asc.issues.map((i) => [i.code, i.severity, i.offset]), [['AAC_ASC_SAMPLING_FREQUENCY', 'error', 11]]);
  assert.deepEqual(checkAacCodecPrivate(new BitWriter().u(5, 2).u(4, 15).u(24, 0).u(4, 2).u(3, 0).align().bytes()).map((i) => i.code), ['CODEC_PRIVATE_INVALID']);
});

test('channelConfiguration 0: the program_config_element gives the channel count', () => {
  const w = new BitWriter().u(5, 2).u(4, 4).u(4, 0).u(1, 0).u(1, 0).u(1, 0);
  // PCE: tag, object type, sf index, 2 front (SCE + CPE), 0 side, 1 back CPE, 1 LFE, 0 assoc, 0 cc, no mixdowns
  w.u(4, 0).u(2, 1).u(4, 4).u(4, 2).u(4, 0).u(4, 1).u(2, 1).u(3, 0).u(4, 0).u(1, 0).u(1, 0).u(1, 0);
  w.u(1, 0).u(4, 0).u(1, 1).u(4, 1).u(1, 1).u(4, 2).u(4, 3);
  w.align().u(8, 2).u(8, 0x68).u(8, 0x69);
  const asc = parseAudioSpecificConfig(w.bytes());
  assert.deepEqual(asc.issues, []);
  assert.equal(asc.derived.channels, 1 + 2 + 2 + 1);
  const pce = asc.fields.GASpecificConfig as Record<string, unknown>;
  const p = pce.program_config_element as Record<string, unknown>;
  assert.deepEqual(p.front_element_is_cpe, [0, 1]);
  assert.deepEqual(p.comment_field_data, [0x68, 0x69]);
});

test('a reserved sampling frequency index is an error (the "invalid sampling-rate index 13" KVS users hit)', () => {
  const asc = parseAudioSpecificConfig(new BitWriter().u(5, 2).u(4, 13).u(4, 2).u(3, 0).align().bytes());
  assert.deepEqual(
    asc.issues.map((i) => [i.code, i.severity]),
    [['AAC_ASC_SAMPLING_FREQUENCY_INDEX', 'error']],
  );
  assert.ok(asc.issues[0]?.hint);
});

test('an audioObjectType that names no coder is an error and gives no codec string: 0, reserved (10, 11, 18, 47 on), or 5/29 over 0, 5, 29 or a reserved core', () => {
  const plain = (aot: number) => new BitWriter().u(5, aot < 31 ? aot : 31).u(aot < 31 ? 0 : 6, aot - 32).u(4, 3).u(4, 2).u(3, 0).align().bytes();
  const hierarchical = (aot: number, core: number) => new BitWriter().u(5, aot).u(4, 6).u(4, 2).u(4, 3).u(5, core).u(3, 0).align().bytes();
  for (const [bytes, field] of [[plain(0), 'audioObjectType'], [plain(10), 'audioObjectType'], [plain(18), 'audioObjectType'], [plain(47), 'audioObjectType'], [hierarchical(5, 0), 'coreAudioObjectType'], [hierarchical(5, 29), 'coreAudioObjectType'], [hierarchical(29, 18), 'coreAudioObjectType']] as const) {
    const asc = parseAudioSpecificConfig(bytes, 100);
    const [found] = asc.issues;
    assert.deepEqual([found?.code, found?.severity], ['AAC_ASC_OBJECT_TYPE', 'error'], `${[...bytes]}`);
    assert.ok(found?.message.startsWith(`${field} `), found?.message);
    assert.equal(found?.offset, field === 'audioObjectType' ? 100 : 102);
    assert.equal(aacCodecString(asc), undefined);
    const check = checkAacCodecPrivate(bytes, 100);
    assert.deepEqual(check.map((i) => [i.code, i.offset]), [['CODEC_PRIVATE_INVALID', found?.offset]]);
  }
  // Defined types stay usable, decoded or not.
  assert.equal(aacCodecString(parseAudioSpecificConfig(plain(8))), 'mp4a.40.8');
  assert.equal(aacCodecString(parseAudioSpecificConfig(hierarchical(5, 2))), 'mp4a.40.5');
});

test('AAC_CODEC_PRIVATE_LENGTH says what makes a config other than 2 or 5 bytes, and gives the 5-byte form of explicit SBR and PS', () => {
  const check = (bytes: Uint8Array | number[]) => {
    const found = checkAacCodecPrivate(Uint8Array.from(bytes));
    assert.deepEqual(found.map((i) => [i.code, i.severity]), [['AAC_CODEC_PRIVATE_LENGTH', 'warning']], `${[...bytes]}`);
    assert.match(found[0]?.message ?? '', /"AAC CPD must be of length 2 or 5"/);
    return { message: found[0]?.message ?? '', hint: found[0]?.hint ?? '' };
  };
  const spaced = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  // audioObjectType 5 (4 bytes): the same HE-AAC in the backward-compatible form ffmpeg writes for it.
  const heAac = extradata(media('h264-he-aac.mkv'), 'a:0');
  assert.equal(heAac.length, 5);
  const sbr = check([0x2b, 0x92, 0x08, 0x00]);
  assert.match(sbr.message, /is 4 bytes: HE-AAC with SBR signalled explicitly \(audioObjectType 5\)/);
  assert.ok(sbr.hint.includes(`5-byte backward-compatible form: ${spaced(heAac)} (the AAC LC config, then syncExtensionType 0x2b7 with sbrPresentFlag 1 and 44100 Hz)`), sbr.hint);
  // Explicit PS, as audioObjectType 29 (4 bytes) or the sync extension 0x548 (7 bytes): 5 bytes signal SBR only.
  const aot29 = new BitWriter().u(5, 29).u(4, 7).u(4, 1).u(4, 4).u(5, 2).u(3, 0).align().bytes();
  const sync548 = new BitWriter().u(5, 2).u(4, 7).u(4, 1).u(3, 0).u(11, 0x2b7).u(5, 5).u(1, 1).u(4, 4).u(11, 0x548).u(1, 1).align().bytes();
  for (const [bytes, how] of [[aot29, 'audioObjectType 29'], [sync548, 'the sync extension 0x548 (psPresentFlag 1)']] as const) {
    const ps = check(bytes);
    assert.ok(ps.message.includes(`is ${bytes.length} bytes: HE-AAC v2 with PS signalled explicitly (${how})`), ps.message);
    assert.match(ps.hint, /^The 5-byte form signals SBR but not PS: 13 88 56 e5 a0 \(.*\)\. PS then stays implicit: decoders find it in the frames/);
  }
  // Bytes after the config: only the config is needed.
  const padded = check([0x11, 0x90, 0x00]);
  assert.match(padded.message, /is 3 bytes: 2 bytes of config, then 1 byte that is not part of it;/);
  assert.equal(padded.hint, 'Pass only the 2 bytes of the config, 11 90: decoders ignore what follows, KVS counts it.');
  const ffmpegPadded = check([0x11, 0x90, 0x56, 0xe5, 0x00, 0x00, 0x00]);
  assert.match(ffmpegPadded.hint, /^Pass only the 5 bytes of the config, 11 90 56 e5 00:/);
  // Zero padding after an SBR extension is no second (PS) extension: the config is still 5 bytes.
  const sbrPadded = check([...heAac, 0, 0, 0]);
  assert.ok(sbrPadded.hint.startsWith(`Pass only the 5 bytes of the config, ${spaced(heAac)}:`), sbrPadded.hint);
  const trailing = parseAudioSpecificConfig(Uint8Array.from([...heAac, 0, 0, 0]), 100).issues.filter((i) => i.code === 'AAC_ASC_TRAILING_BYTES');
  assert.deepEqual(trailing.map((i) => [i.offset, i.message]), [[105, '3 bytes follow the AudioSpecificConfig; they were not decoded.']]);
  // The forms KVS takes raise nothing.
  for (const bytes of [[0x11, 0x90], [...heAac], [0x13, 0x88, 0x56, 0xe5, 0xa0]]) assert.deepEqual(checkAacCodecPrivate(Uint8Array.from(bytes)), []);
  // Implicit SBR and PS: the advice is a form of a length KVS takes, not audioObjectType 5 or 29.
  const implicit = decodeCodecPrivate('aac', Uint8Array.of(0x13, 0x90), 0, { audio: { sampleRate: 44100, channels: 2 } }).issues;
  assert.match(implicit.find((i) => i.code === 'AAC_IMPLICIT_SIGNALLING')?.hint ?? '', new RegExp(`The 5-byte form ${spaced(heAac)} .* signals SBR there too, at a length KVS takes\\.$`));
  const mono = decodeCodecPrivate('aac', Uint8Array.of(0x13, 0x88, 0x56, 0xe5, 0xa0), 0).issues;
  assert.match(mono.find((i) => i.code === 'AAC_PS_NOT_SIGNALLED')?.hint ?? '', /^With an HE-AAC v2 encoder, write 2 channels in the container\. PS signalled in the config .* makes it 4 or 7 bytes/);
});

test('ADTS headers of the MPEG-TS fixture: full parse, fast path and the equivalent AudioSpecificConfig', () => {
  const frames = packets(media('h264-aac.ts'), 3, 'a:0');
  const info = streamInfo(media('h264-aac.ts'), 'a:0');
  for (const { data } of frames) {
    const h = parseAdtsHeader(data, 0, 100);
    assert.deepEqual(h.issues, []);
    assert.equal(h.fields.syncword, 0xfff);
    assert.equal(h.derived.sampleRate, Number(info.sample_rate));
    assert.equal(h.derived.channels, Number(info.channels));
    assert.equal(h.derived.objectTypeName, 'AAC LC');
    assert.equal(h.offset, 100);
    const fast = readAdtsFrameInfo(data, 0);
    assert.ok(fast);
    assert.equal(fast.frameLength, h.derived.frameLength);
    assert.equal(fast.headerLength, h.derived.headerLength);
    // a PES packet may hold several ADTS frames: they chain by aac_frame_length
    let pos = 0;
    let count = 0;
    for (let f = readAdtsFrameInfo(data, pos); f; f = readAdtsFrameInfo(data, pos)) {
      pos += f.frameLength;
      count++;
    }
    assert.equal(pos, data.length);
    assert.ok(count >= 1);
    assert.deepEqual([...adtsToAudioSpecificConfig(fast)], [0x11, 0x88]);
  }
  assert.equal(readAdtsFrameInfo(Uint8Array.of(0xff, 0xf1, 0, 0, 0, 0, 0), 0), undefined); // frame length 0
  const bad = parseAdtsHeader(Uint8Array.of(0x12, 0x34, 0, 0, 0, 0, 0));
  assert.deepEqual(
    bad.issues.map((i) => i.code),
    ['ADTS_INVALID'],
  );
});

test('an ADTS header with a CRC (protection_absent 0): 9 bytes, crc_check read, the frame length counted from its start', () => {
  // AAC LC, 48 kHz (index 3), stereo, aac_frame_length 11 (9-byte header + 2 bytes), buffer fullness 0x7FF, one raw block.
  const frame = Uint8Array.of(0xff, 0xf0, 0x4c, 0x80, 0x01, 0x7f, 0xfc, 0x12, 0x34, 0xaa, 0xbb);
  const h = parseAdtsHeader(frame);
  assert.deepEqual(h.issues, []);
  assert.deepEqual([h.fields.protection_absent, h.fields.crc_check], [0, 0x1234]);
  assert.deepEqual([h.derived.headerLength, h.derived.frameLength, h.derived.sampleRate, h.derived.channels], [9, 11, 48000, 2]);
  const fast = readAdtsFrameInfo(frame);
  assert.deepEqual([fast?.headerLength, fast?.frameLength], [9, 11]);
  assert.equal(readAdtsFrameInfo(frame.subarray(0, 7).map((b, i) => (i === 4 ? 0 : i === 5 ? 0x5f : b))), undefined, 'a frame length of 2, shorter than its 9-byte header');
});

test('implicit SBR and PS: only where the AudioSpecificConfig leaves them open, and only for a core SBR can double', () => {
  const config = (bytes: number[]) => parseAudioSpecificConfig(Uint8Array.from(bytes)).derived;
  const monoLc22k = config([0x13, 0x88]); // AAC LC, 22050 Hz, 1 channel, no extension
  assert.deepEqual(aacDecoderOutput(monoLc22k), { sampleRate: 22050, channels: 1, samplesPerFrame: 1024, sbr: false, ps: false, implicit: [], sbrUnknown: true });
  assert.deepEqual(aacDecoderOutput(monoLc22k, { sampleRate: 44100, channels: 1 }), { sampleRate: 44100, channels: 1, samplesPerFrame: 2048, sbr: true, ps: false, implicit: ['SBR'], sbrUnknown: false });
  // Stereo out of a mono core is PS, which comes only with SBR (HE-AAC v2), whatever rate the container says.
  assert.deepEqual(aacDecoderOutput(monoLc22k, { sampleRate: 22050, channels: 2 }), { sampleRate: 44100, channels: 2, samplesPerFrame: 2048, sbr: true, ps: true, implicit: ['SBR', 'PS'], sbrUnknown: false });
  // 48 kHz is past what SBR doubles: a 96 kHz container rate is not SBR.
  assert.deepEqual(aacDecoderOutput(config([0x11, 0x88]), { sampleRate: 96000, channels: 1 }).implicit, []);
  // Signalled absent (the "no SBR" extension ffmpeg writes, sbrPresentFlag 0): the container cannot add it.
  assert.deepEqual(aacDecoderOutput(config([0x11, 0x88, 0x56, 0xe5, 0x00]), { sampleRate: 96000, channels: 2 }), { sampleRate: 48000, channels: 1, samplesPerFrame: 1024, sbr: false, ps: false, implicit: [], sbrUnknown: false });
  // Signalled SBR on a mono core: the container's 2 channels add PS only.
  assert.deepEqual(aacDecoderOutput(config([0x13, 0x88, 0x56, 0xe5, 0xa0]), { sampleRate: 22050, channels: 2 }).implicit, ['PS']);
});

test('ADTS with channel_configuration 0 (2.1, described by a program_config_element in the frame): the AudioSpecificConfig ffmpeg builds from it, 3 channels', () => {
  const ts = encode('aac-2.1.ts', ['-f', 'lavfi', '-i', 'sine=duration=0.2:sample_rate=48000', '-af', 'pan=2.1|c0=c0|c1=c0|c2=c0', '-c:a', 'aac', '-f', 'mpegts']);
  const mp4 = encode('aac-2.1.mp4', ['-i', ts, '-c', 'copy', '-bsf:a', 'aac_adtstoasc']);
  const [frame] = packets(ts, 1, 'a:0');
  assert.ok(frame);
  const info = readAdtsFrameInfo(frame.data);
  assert.equal(info?.channelConfiguration, 0);
  const config = adtsToAudioSpecificConfig(info, frame.data.subarray(info.headerLength, info.frameLength));
  // ffmpeg's aac_adtstoasc copies the PCE into the config it writes into the MP4's esds
  assert.deepEqual([...config], [...extradata(mp4, 'a:0')]);
  const asc = parseAudioSpecificConfig(config);
  assert.deepEqual(asc.issues, []);
  assert.equal(asc.derived.channels, 3);
  assert.equal(Number(streamInfo(ts, 'a:0').channels), 3);
  // without the frame's bytes, or with a block that does not open with a PCE: the 2-byte header
  assert.deepEqual([...adtsToAudioSpecificConfig(info)], [0x11, 0x80]);
  assert.deepEqual([...adtsToAudioSpecificConfig(info, Uint8Array.of(0x20, 0))], [0x11, 0x80]);
  // the header's own decode lists the PCE: the fields the config holds, at their bytes in the frame
  const header = parseAdtsHeader(frame.data, 0, 1000);
  assert.deepEqual(header.issues, []);
  assert.equal(header.derived.channels, 3);
  const block = header.fields.raw_data_block as Record<string, unknown>;
  assert.equal(block.id_syn_ele, 5);
  assert.deepEqual(block.program_config_element, (asc.fields.GASpecificConfig as Record<string, unknown>).program_config_element);
  assert.equal(header.length, 7 + config.length - 2, 'the header and the PCE (the config is its 2 bytes and the PCE)');
  const tag = header.locations.find((at) => at.path === 'raw_data_block.program_config_element.element_instance_tag');
  assert.deepEqual([tag?.byteOffset, tag?.bitOffset], [1007, 59], 'right after id_syn_ele, the 3 bits after the 7-byte header');
  // the KVS check says why the config is long, and what would make it 2 bytes
  const [long] = checkAacCodecPrivate(config);
  assert.equal(long?.code, 'AAC_CODEC_PRIVATE_LENGTH');
  assert.match(long.message, /is 22 bytes: channelConfiguration is 0 and a program_config_element describes the 3 channels/);
  assert.match(long.hint ?? '', /standard channel layout/);
});

test('an ADTS header with a CRC and several raw_data_blocks: raw_data_block_position before crc_check', () => {
  // AAC LC, 48 kHz, stereo, aac_frame_length 20, number_of_raw_data_blocks_in_frame 2: two positions, then the CRC.
  const frame = Uint8Array.of(0xff, 0xf0, 0x4c, 0x80, 0x02, 0x9f, 0xfe, 0x00, 0x05, 0x00, 0x09, 0x12, 0x34, ...new Array<number>(7).fill(0));
  const h = parseAdtsHeader(frame);
  assert.deepEqual(h.issues, []);
  assert.deepEqual([h.fields.number_of_raw_data_blocks_in_frame, h.fields.raw_data_block_position, h.fields.crc_check], [2, [5, 9], 0x1234]);
  assert.deepEqual([h.derived.headerLength, h.derived.frameLength, h.length], [13, 20, 13]);
});

test('AAC object types are named once: AAC LC, ER AAC ELD (escaped AOT 39), AAC after a name that does not say it', () => {
  const name = (asc: number[]): string | undefined => decodeCodecPrivate('aac', Uint8Array.from(asc), 0).track.codecName;
  assert.equal(name([0x11, 0x90]), 'AAC LC');
  assert.equal(name([0xf8, 0xe6, 0x40, 0x00]), 'ER AAC ELD'); // AOT escape 31 + 7, 48 kHz, stereo
  assert.equal(name([0xa9, 0x90]), 'AAC ER TwinVQ'); // AOT 21
});
