// HLS playlists and the DASH manifest of a session (research §2 for the shapes KVS writes).
// URLs are relative: they resolve against /hls/v1/ or /dash/v1/, where the player found the session.
import { codecString } from '../../formats/package';
import type { PackagingTrack } from '../../formats/package';
import type { FragmentRecord } from '../storage/fragmentStore';
import type { SessionHeaders, SessionTracks, SessionView } from './content';
import { discontinuityBefore, mediaStats, seconds3 } from './content';
import type { StreamingSession } from './session';

/** Namespace of the kvs:ts / kvs:fn attributes on S elements. */
export const KVS_DASH_NAMESPACE = 'https://kinesisvideo.amazonaws.com/dash/2019';

function videoOf(info: SessionTracks): PackagingTrack {
  const video = info.tracks.find((t) => t.kind === 'video') ?? info.tracks[0];
  if (!video) throw new Error('a session without tracks');
  return video;
}

function sessionTime(session: StreamingSession, record: FragmentRecord): number {
  return session.selector === 'SERVER_TIMESTAMP' ? record.serverTimestampMs : record.producerTimestampMs;
}

export function hlsMasterPlaylist(session: StreamingSession, token: string, info: SessionTracks, view: SessionView): string {
  const video = videoOf(info);
  const audio = info.tracks.find((t) => t.kind === 'audio');
  const stats = mediaStats(view.records, video);
  const codecs = [codecString(video), audio ? codecString(audio) : undefined].filter((c): c is string => c !== undefined).join(',');
  const attributes = [`CODECS="${codecs}"`];
  if (video.width !== undefined && video.height !== undefined) attributes.push(`RESOLUTION=${video.width}x${video.height}`);
  if (stats.frameRate !== undefined) attributes.push(`FRAME-RATE=${stats.frameRate.toFixed(2)}`);
  attributes.push(`BANDWIDTH=${Math.max(1, stats.bandwidth)}`);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  const separateAudio = audio !== undefined && session.container === 'FRAGMENTED_MP4';
  if (separateAudio) {
    lines.push(`#EXT-X-MEDIA:AUTOSELECT=YES,FORCED=NO,TYPE=AUDIO,URI="getHLSMediaPlaylist.m3u8?SessionToken=${token}&TrackNumber=${audio.trackNumber}",GROUP-ID="audio",DEFAULT=YES,NAME="audio"`);
    attributes.push('AUDIO="audio"');
  }
  lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, `getHLSMediaPlaylist.m3u8?SessionToken=${token}&TrackNumber=${video.trackNumber}`, '');
  return lines.join('\n');
}

/**
 * A media playlist: fMP4 (one track) or MPEG-TS (all tracks). The TARGETDURATION is the longest
 * fragment rounded up. fMP4: an EXT-X-MAP before the first fragment and before every fragment whose
 * codec private data differs from the previous one's, with the session's SequenceNumber of that codec
 * private data (SessionHeaders: 0 for the first, counting up); such a change is always preceded by
 * EXT-X-DISCONTINUITY (also in TS playlists), whatever the DiscontinuityMode.
 */
export function hlsMediaPlaylist(session: StreamingSession, token: string, trackNumber: number, view: SessionView, headers: SessionHeaders): string {
  const records = view.records;
  const target = Math.max(1, ...records.map((r) => Math.ceil(r.durationMs / 1000)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7'];
  if (session.mode === 'ON_DEMAND') lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  lines.push(`#EXT-X-TARGETDURATION:${target}`, `#EXT-X-MEDIA-SEQUENCE:${view.mediaSequence}`, '#EXT-X-INDEPENDENT-SEGMENTS');
  const ts = session.container === 'MPEG_TS';
  let mapped: number | undefined;
  records.forEach((record, i) => {
    if (discontinuityBefore(session, records, i, headers)) lines.push('#EXT-X-DISCONTINUITY');
    const sequence = headers.sequenceOf(record.headerId);
    if (!ts && sequence !== mapped) {
      mapped = sequence;
      lines.push(`#EXT-X-MAP:URI="getMP4InitFragment.mp4?SessionToken=${token}&TrackNumber=${trackNumber}&SequenceNumber=${sequence}"`);
    }
    if (session.displayTimestamp) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(sessionTime(session, record)).toISOString()}`);
    lines.push(`#EXTINF:${seconds3(record.durationMs)},`);
    lines.push(
      ts
        ? `getTSFragment.ts?FragmentNumber=${record.fragmentNumber}&SessionToken=${token}`
        : `getMP4MediaFragment.mp4?FragmentNumber=${record.fragmentNumber}&SessionToken=${token}&TrackNumber=${trackNumber}`,
    );
  });
  if (view.complete) lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}

function isoDuration(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(3)}S`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The MPD: static for ON_DEMAND (and a finished LIVE_REPLAY), dynamic otherwise. One AdaptationSet per
 * track; a SegmentTemplate with a SegmentTimeline on the session timeline in milliseconds, segments
 * addressed by $Time$ (the fragment's start on that timeline). The first fragment's stream header is
 * the init segment: DASH needs the same codec private data for the whole session, so the view must
 * hold fragments of one codec private data only (routes.ts cuts it before a change).
 */
export function dashManifest(session: StreamingSession, token: string, info: SessionTracks, view: SessionView, now: number, headers: SessionHeaders): string {
  const records = view.records;
  const first = records[0];
  const last = records.at(-1);
  const startOf = (r: FragmentRecord): number => r.producerTimestampMs - session.originMs;
  const endMs = last ? startOf(last) + last.durationMs : 0;
  const dynamic = !view.complete;
  const video = videoOf(info);
  const stats = mediaStats(records, video);
  const pto = first ? startOf(first) : 0;
  const mpd = [
    `xmlns="urn:mpeg:dash:schema:mpd:2011"`,
    `xmlns:kvs="${KVS_DASH_NAMESPACE}"`,
    `profiles="urn:mpeg:dash:profile:isoff-live:2011"`,
    `type="${dynamic ? 'dynamic' : 'static'}"`,
    `minBufferTime="PT2S"`,
  ];
  if (dynamic) {
    mpd.push(
      `availabilityStartTime="${new Date(session.originMs).toISOString()}"`,
      `publishTime="${new Date(now).toISOString()}"`,
      `minimumUpdatePeriod="PT1S"`,
      `timeShiftBufferDepth="${isoDuration(endMs - pto)}"`,
      `suggestedPresentationDelay="PT3S"`,
    );
  } else {
    mpd.push(`mediaPresentationDuration="${isoDuration(endMs - pto)}"`);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<MPD ${mpd.join(' ')}>`, `  <Period id="0" start="PT0S">`];
  for (const track of info.tracks) {
    const codecs = codecString(track) ?? '';
    const kind = track.kind;
    lines.push(`    <AdaptationSet id="${track.trackNumber}" contentType="${kind}" mimeType="${kind}/mp4" segmentAlignment="true" startWithSAP="1">`);
    const rep = [`id="${track.trackNumber}"`, `codecs="${xml(codecs)}"`, `bandwidth="${Math.max(1, kind === 'video' ? stats.bandwidth : 64000)}"`];
    if (kind === 'video') {
      if (track.width !== undefined && track.height !== undefined) rep.push(`width="${track.width}"`, `height="${track.height}"`);
      if (stats.frameRate !== undefined) rep.push(`frameRate="${Math.round(stats.frameRate * 1000)}/1000"`);
    } else if (track.sampleRate !== undefined) {
      rep.push(`audioSamplingRate="${track.sampleRate}"`);
    }
    lines.push(`      <Representation ${rep.join(' ')}>`);
    if (kind === 'audio') lines.push(`        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${track.channels ?? 2}"/>`);
    const init = `getMP4InitFragment.mp4?SessionToken=${token}&TrackNumber=${track.trackNumber}&SequenceNumber=${first ? headers.sequenceOf(first.headerId) : 0}`;
    const media = `getMP4MediaFragment.mp4?SessionToken=${token}&TrackNumber=${track.trackNumber}&Time=$Time$`;
    lines.push(`        <SegmentTemplate timescale="1000" presentationTimeOffset="${dynamic ? 0 : pto}" initialization="${xml(init)}" media="${xml(media)}">`);
    lines.push('          <SegmentTimeline>');
    for (const record of records) {
      const s = [`t="${startOf(record)}"`, `d="${Math.max(1, record.durationMs)}"`];
      if (session.displayTimestamp) s.push(`kvs:ts="${(sessionTime(session, record) / 1000).toFixed(3)}"`);
      if (session.displayNumber) s.push(`kvs:fn="${record.fragmentNumber}"`);
      lines.push(`            <S ${s.join(' ')}/>`);
    }
    lines.push('          </SegmentTimeline>', '        </SegmentTemplate>', '      </Representation>', '    </AdaptationSet>');
  }
  lines.push('  </Period>', '</MPD>', '');
  return lines.join('\n');
}
