// The clock fragments are ordered by. KVS orders a stream's fragments by producer timestamp, which
// GetMedia writes as a tag on each: a producer using RELATIVE timecodes restarts its cluster timecodes
// with each PutMedia session (21, 1021, 21, 1021, …) while its producer timestamps go on.
import type { FragmentReport, InspectionReport } from '../inspect/report';

export interface FragmentClock {
  /** 'producer': the KVS producer timestamps; 'container': the container's own timeline. */
  kind: 'producer' | 'container';
  /** Per fragment, what to add to its frames' times to put them on this clock. */
  shiftMs: Float64Array;
  /** When the fragment starts on this clock (null when unknown). */
  startOf(fragment: FragmentReport): number | null;
}

/**
 * The producer timestamps when every fragment with frames carries one (the timestamp marks the
 * fragment's first frame), else the container's timeline.
 */
export function fragmentClock(report: InspectionReport): FragmentClock {
  const { fragments } = report;
  const shiftMs = new Float64Array(fragments.length);
  const media = fragments.filter((fragment) => fragment.frameCount > 0 && fragment.startMs !== null);
  const tagged = media.length > 0 && media.every((fragment) => fragment.kvs?.producerTimestampMs !== undefined);
  if (!tagged) return { kind: 'container', shiftMs, startOf: (fragment) => fragment.startMs };
  for (const fragment of media) shiftMs[fragment.index] = (fragment.kvs?.producerTimestampMs ?? 0) - (fragment.startMs ?? 0);
  return { kind: 'producer', shiftMs, startOf: (fragment) => fragment.kvs?.producerTimestampMs ?? null };
}
