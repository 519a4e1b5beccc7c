// The NAL analysis of H.264/H.265 frames: what `--frames` shows per frame, and what the framing checks judge.
import type { ByteSource } from '../byteSource';
import { analyzeFrameNals, type FrameNalAnalysis, type InBandParameterSets } from '../codecs';
import type { ContainerInspection, VideoTrackContext } from './container';
import { FrameFlag, type FrameNalSummary } from './report';

/**
 * Which video frames to analyse: every one (a read of every frame's bytes), or the first of each
 * fragment, where parameter sets and IDR pictures are, so that the cost grows with fragments, not bytes.
 */
export type FrameSelection = 'every' | 'fragment-starts';

export type FrameVisitor = (track: VideoTrackContext, index: number, analysis: FrameNalAnalysis) => void;

/** Runs analyzeFrameNals over the selected frames of each video track, in file order per track. */
export function analyzeVideoFrames(inspection: ContainerInspection, source: ByteSource, selection: FrameSelection, visit: FrameVisitor): void {
  const { frames } = inspection.report;
  for (const track of inspection.videoTracks) {
    let lastFragment: number | undefined;
    let inBand: InBandParameterSets | undefined; // H.265 parameter sets of the frames before, for the slice headers
    for (let i = 0; i < frames.count; i++) {
      if (frames.track[i] !== track.number || (track.coversFragment && !track.coversFragment(frames.fragment[i] ?? -1))) continue;
      if (selection === 'fragment-starts') {
        if (frames.fragment[i] === lastFragment) continue;
        lastFragment = frames.fragment[i];
      }
      const analysis = analyzeVideoFrame(inspection, source, track, i, inBand);
      inBand = analysis?.inBandAfter ?? inBand;
      if (analysis) visit(track, i, analysis);
    }
  }
}

/**
 * The NAL analysis of frame `index` of a video track, with offsets in the input; undefined for a frame cut
 * off by the end of the input, which is the container's to report (truncation), not a framing fault.
 */
export function analyzeVideoFrame(inspection: ContainerInspection, source: ByteSource, track: VideoTrackContext, index: number, inBandBefore?: InBandParameterSets): FrameNalAnalysis | undefined {
  const { frames } = inspection.report;
  const offset = frames.offset[index] ?? 0;
  if (offset + (frames.size[index] ?? 0) > source.size || ((frames.flags[index] ?? 0) & FrameFlag.Cut) !== 0) return undefined;
  const options = { codec: track.codec, expected: track.expected, declared: track.declared, reference: track.reference, inBandBefore };
  const gathered = inspection.readFrame?.(index);
  if (!gathered) return analyzeFrameNals(source.read(offset, frames.size[index] ?? 0), { ...options, baseOffset: offset });
  // A frame gathered from pieces (MPEG-TS payloads): offsets in it moved to the input's.
  const analysis = analyzeFrameNals(gathered, options);
  const inInput = (at: number) => Math.max(offset, inspection.frameByteOffset?.(index, at) ?? -1);
  for (const unit of analysis.nalUnits) unit.offset = inInput(unit.offset);
  for (const found of analysis.issues) found.offset = inInput(found.offset);
  return analysis;
}

/**
 * Collects the per-frame summaries of `report.frames.nal`. Frames made alike share one summary
 * object, so a long recording holds a handful of them, not one per frame.
 */
export class FrameNalSummaries {
  readonly byFrame: (FrameNalSummary | undefined)[];
  private readonly shared = new Map<string, FrameNalSummary>();

  constructor(frameCount: number) {
    this.byFrame = new Array<FrameNalSummary | undefined>(frameCount).fill(undefined);
  }

  readonly add = (_track: VideoTrackContext, index: number, analysis: FrameNalAnalysis): void => {
    const types = analysis.nalUnits.map((unit) => unit.nal_unit_type);
    const { framing, lengthSize } = analysis;
    const sei = analysis.nalUnits.flatMap((unit) => unit.seiPayloadTypes ?? []);
    const hasSei = analysis.nalUnits.some((unit) => unit.seiPayloadTypes !== undefined);
    const key = `${framing} ${lengthSize} ${types.join(',')} ${analysis.sliceTypes.join(',')} ${hasSei ? sei.join(',') : '-'}`;
    let summary = this.shared.get(key);
    if (!summary) {
      summary = {
        framing, ...(lengthSize !== undefined && { lengthSize }), nalTypes: types, nalNames: analysis.nalUnits.map((unit) => unit.name),
        sliceTypes: analysis.sliceTypes, ...(hasSei && { seiPayloadTypes: sei }),
      };
      this.shared.set(key, summary);
    }
    this.byFrame[index] = summary;
  };
}
