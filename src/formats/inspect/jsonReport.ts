// The `kvs-inspect --json` document: plain JSON, frames as rows only when asked for.
import type { FragmentReport, InspectionReport, TrackReport } from './report';
import type { Issue } from '../issues';

export interface JsonFrame {
  track: number;
  fragment: number;
  offset: number;
  size: number;
  ptsMs: number;
  dtsMs: number;
  keyframe: boolean;
}

export interface JsonReport {
  format: InspectionReport['format'];
  size: number;
  tracks: TrackReport[];
  fragments: FragmentReport[];
  frames?: JsonFrame[];
  issues: Issue[];
}

export function toJsonReport(report: InspectionReport, withFrames: boolean): JsonReport {
  const { frames } = report;
  const json: JsonReport = { format: report.format, size: report.size, tracks: report.tracks, fragments: report.fragments, issues: report.issues };
  if (withFrames) {
    json.frames = [];
    for (let i = 0; i < frames.count; i++) {
      json.frames.push({
        track: (frames.track[i] ?? 0),
        fragment: (frames.fragment[i] ?? 0),
        offset: (frames.offset[i] ?? 0),
        size: (frames.size[i] ?? 0),
        ptsMs: (frames.ptsMs[i] ?? 0),
        dtsMs: (frames.dtsMs[i] ?? 0),
        keyframe: frames.keyframe[i] === 1,
      });
    }
  }
  return json;
}

/** JSON.stringify that writes bigints (64-bit fields) as decimal strings. */
export function stringifyReport(json: JsonReport): string {
  return JSON.stringify(json, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2);
}
