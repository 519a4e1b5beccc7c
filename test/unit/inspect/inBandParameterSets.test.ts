// Video whose avcC/hvcC holds no parameter sets, the frames carrying them in-band: an avc3/hev1 MP4 as
// GStreamer's mp4mux writes it, and the Matroska file ffmpeg -c copy makes of that. ffprobe, which reads
// the in-band sets, judges the picture format.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inBandOnlyMp4 } from '../formats/isobmff/helpers';
import { ffprobeStreams, inspectJson } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'kvi-inband-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const entry of ['avc3', 'hev1'] as const) {
  const h264 = entry === 'avc3';
  const mp4 = inBandOnlyMp4(dir, entry);
  const mkv = join(dir, `${entry}.mkv`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', mp4, '-c', 'copy', mkv]);

  for (const file of [mp4, mkv]) {
    const inMp4 = file === mp4;
    test(`${entry} ${inMp4 ? 'MP4' : 'copied to Matroska by ffmpeg'}, its record without parameter sets: the track described from its first key frame's, as ffprobe reads them, and ${inMp4 ? 'one note' : 'one error'} that says so`, () => {
      const report = inspectJson(file, '--frames');
      const [probe] = ffprobeStreams(file);
      const [track] = report.tracks;
      assert.equal(track?.codecPrivate?.sps?.length, 0, 'the record holds no SPS');
      assert.deepEqual([track?.width, track?.height], [probe?.width, probe?.height]);
      // avc1.PPCCLL / hev1.P.C.LLL.…: the level as ffprobe gives it (H.264 level_idc, H.265 general_level_idc)
      const level = h264 ? parseInt(track?.codec?.slice(-2) ?? '', 16) : Number(/\.L(\d+)/.exec(track?.codec ?? '')?.[1]);
      assert.equal(level, probe?.level);
      assert.ok(track?.codecName?.startsWith(`${h264 ? 'H.264' : 'H.265'} ${probe?.profile}@`), `${track?.codecName} is ffprobe's ${probe?.profile}`);
      assert.equal(track?.codec?.slice(0, 4), inMp4 ? entry : h264 ? 'avc1' : 'hvc1');

      const about = report.issues.filter((found) => /_NO_(VPS|SPS|PPS)$|^CODEC_PRIVATE_INVALID$|^PARAMETER_SETS_IN_BAND$|^INBAND_PARAMETER_SET_DIFFERS$/.test(found.code));
      assert.deepEqual(about.map((found) => [found.severity, found.code, found.offset]), [[inMp4 ? 'info' : 'error', inMp4 ? 'PARAMETER_SETS_IN_BAND' : 'CODEC_PRIVATE_INVALID', track?.codecPrivate?.offset]]);
      const firstKeyframe = report.frames?.find((frame) => frame.keyframe);
      const at = Number(/in-band \(the first key frame's at byte (\d+)\)/.exec(about[0]?.message ?? '')?.[1]);
      assert.ok(firstKeyframe && at > firstKeyframe.offset && at < firstKeyframe.offset + firstKeyframe.size, `byte ${at} is in the first key frame`);
    });
  }
}
