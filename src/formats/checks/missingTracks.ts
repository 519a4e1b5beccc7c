// Fragments without a frame of a declared track: PutMedia rejects each with error 4011
// FRAMES_MISSING_FOR_TRACK (KVS Local's putMedia.ts follows the same rule).
import type { DeclaredTracks } from '../inspect/container';
import { fragmentLabel, type InspectionReport } from '../inspect/report';
import { issue, type Issue } from '../issues';

export interface MissingTracks {
  /** One error per track, at the first fragment that lacks it. */
  issues: Issue[];
  /** Whether fragment `fragment` declares track `track` and has frames, but none of it. */
  isMissing(track: number, fragment: number): boolean;
}

/** Fragments with frames that lack a frame of a track their header declares (media-less fragments are not judged). */
export function missingTrackIssues(report: InspectionReport, declaredTracks: DeclaredTracks): MissingTracks {
  const { frames, fragments } = report;
  const present = fragments.map(() => new Set<number>());
  for (let i = 0; i < frames.count; i++) present[frames.fragment[i] ?? -1]?.add(frames.track[i] ?? 0);
  const missing = new Map<number, number[]>(); // track → fragments without it
  for (const fragment of fragments) {
    const tracks = present[fragment.index];
    if (fragment.frameCount === 0 || !tracks) continue;
    for (const track of declaredTracks(fragment.index)) {
      if (tracks.has(track)) continue;
      const without = missing.get(track);
      if (without) without.push(fragment.index);
      else missing.set(track, [fragment.index]);
    }
  }
  const issues: Issue[] = [];
  for (const [number, without] of missing) {
    const first = fragments[without[0] ?? -1];
    if (!first) continue;
    const track = report.tracks.find((declared) => declared.number === number);
    const what = track?.kind === 'video' || track?.kind === 'audio' ? track.kind : (track?.codecId ?? 'undeclared');
    const where = without.length === 1 ? fragmentLabel(first) : `${without.length} fragments, the first ${fragmentLabel(first)}`;
    issues.push(
      issue(
        'error',
        'FRAMES_MISSING_FOR_TRACK',
        `Track ${number} (${what}) has no frame in ${where}: KVS takes a fragment only with a frame of every track its Tracks element declares.`,
        first.offset,
        'PutMedia answers each such fragment with error 4011 FRAMES_MISSING_FOR_TRACK and does not store it. Send a frame of every declared track in every fragment (silent audio frames when there is no sound), or declare only the tracks you send.',
      ),
    );
  }
  const byTrack = new Map([...missing].map(([track, without]) => [track, new Set(without)]));
  return { issues, isMissing: (track, fragment) => byTrack.get(track)?.has(fragment) ?? false };
}
