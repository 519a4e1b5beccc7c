// Entry point of the inspector: sniff the container, read it, run the KVS readiness checks.
import type { ByteSource } from '../byteSource';
import { kvsReadinessIssues, type ReadinessOptions } from '../checks/kvsReadiness';
import { capIssuesPerCode, issue, type Issue } from '../issues';
import type { ContainerInspection } from './container';
import { inspectIsoBmff } from './fromIsoBmff';
import { inspectMatroska } from './fromMatroska';
import { inspectMpegTs } from './fromMpegTs';
import { frameTable, type FragmentReport, type InspectionReport } from './report';
import { sniffFormat, unknownFormatMessage } from './sniff';
import { PictureStructures } from './pictureStructure';
import { analyzeVideoFrames, FrameNalSummaries, type FrameVisitor } from './videoFrames';

export interface InspectOptions extends Pick<ReadinessOptions, 'nowMs'> {
  /** Run the KVS readiness checks (default true). */
  checks?: boolean;
  /**
   * Analyse the NAL units of every H.264/H.265 frame (`report.frames.nal`), which reads every video
   * frame; the framing checks then judge every frame too, not only the first of each fragment.
   */
  frameNals?: boolean;
  /** Judge the framing of every video frame (reading every one), not only the first of each fragment. */
  everyFrame?: boolean;
}

export function inspect(source: ByteSource, options: InspectOptions = {}): InspectionReport {
  const inspection = readContainer(source);
  const { frames } = inspection.report;
  const summaries = options.frameNals ? new FrameNalSummaries(frames.count) : undefined;
  const structures = new PictureStructures();
  const frameAnalysed: FrameVisitor = (track, index, analysis) => {
    summaries?.add(track, index, analysis);
    structures.add(track, index, analysis);
  };
  if (options.checks !== false) {
    // Damaged sample tables can point frames past the end; an issue still points into the input.
    const clamp = (offset: number) => Math.max(0, Math.min(offset, source.size));
    const readiness: ReadinessOptions = { nowMs: options.nowMs, frames: summaries || options.everyFrame ? 'every' : 'fragment-starts', frameAnalysed };
    const judged = kvsReadinessIssues(inspection, source, readiness).map((found) => ({ ...found, offset: clamp(found.offset) }));
    inspection.report.issues = [...withoutRepeatedTimeGaps(inspection.report, judged), ...judged];
  } else if (summaries) {
    analyzeVideoFrames(inspection, source, 'every', frameAnalysed);
  }
  if (summaries) frames.nal = summaries.byFrame;
  structures.apply(inspection.report);
  // A stream that repeats one mistake (a codec private data that alternates, every fragment late) would
  // bury the others: the first of each code are listed, the rest counted.
  const byOffset = (a: Issue, b: Issue): number => a.offset - b.offset;
  inspection.report.issues = capIssuesPerCode(inspection.report.issues.sort(byOffset)).sort(byOffset);
  return inspection.report;
}

/**
 * The ISO BMFF reader notes every tfdt that does not continue its track (FRAGMENT_TIME_GAP, info). In a
 * fragment that the checks report as a gap, an overlap or a step back, those notes (of any of its
 * tracks) would only say it again.
 */
function withoutRepeatedTimeGaps(report: InspectionReport, judged: readonly Issue[]): Issue[] {
  const repeated = new Set(judged.filter((found) => TIME_JUDGEMENTS.has(found.code)).map((found) => found.offset));
  if (repeated.size === 0) return report.issues;
  return report.issues.filter((found) => found.code !== 'FRAGMENT_TIME_GAP' || !repeated.has(fragmentAt(report.fragments, found.offset)));
}

const TIME_JUDGEMENTS = new Set(['FRAGMENT_GAP', 'FRAGMENT_OVERLAP', 'TIMECODE_BACKWARDS']);

/** The offset of the fragment holding `offset` (fragments in file order), or -1. */
function fragmentAt(fragments: readonly FragmentReport[], offset: number): number {
  let low = 0;
  let high = fragments.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const fragment = fragments[middle];
    if (!fragment) break;
    if (offset < fragment.offset) high = middle - 1;
    else if (offset >= fragment.offset + fragment.size) low = middle + 1;
    else return fragment.offset;
  }
  return -1;
}

function readContainer(source: ByteSource): ContainerInspection {
  switch (sniffFormat(source)) {
    case 'matroska':
      return inspectMatroska(source);
    case 'isobmff':
      return inspectIsoBmff(source);
    case 'mpeg-ts':
      return inspectMpegTs(source);
    default:
      return {
        report: {
          format: 'unknown',
          size: source.size,
          tracks: [],
          fragments: [],
          frames: frameTable(0),
          issues: [issue('error', 'UNKNOWN_FORMAT', unknownFormatMessage(source), 0)],
        },
        videoTracks: [],
      };
  }
}
