// Codec private data and bitstream parsing: the public surface of src/formats/codecs.
export type { ParsedSyntax } from './nalSyntax';
export type { FieldLocation, Fields, FieldValue } from '../bits/syntax';

export { parseH264Sps } from './h264/sps';
export type { H264Sps, H264SpsDerived } from './h264/sps';
export { parseH264Pps } from './h264/pps';
export type { H264Pps, H264PpsDerived } from './h264/pps';
export { parseAvcDecoderConfigurationRecord } from './h264/avcc';
export type { AvcDecoderConfigurationRecord, AvcConfigDerived } from './h264/avcc';
export { h264NalTypeName, h264SliceTypeName, H264_NAL } from './h264/nalTypes';
export { h264LevelName, h264ProfileName } from './h264/profile';
export type { HrdSummary } from './h264/vui';
export type { H264ScalingMatrices } from './h264/scalingList';

export { parseH265Vps } from './h265/vps';
export type { H265Vps, H265VpsDerived } from './h265/vps';
export { parseH265Sps } from './h265/sps';
export type { H265Sps, H265SpsDerived } from './h265/sps';
export { parseH265Pps } from './h265/pps';
export type { H265Pps, H265PpsDerived } from './h265/pps';
export { parseHevcDecoderConfigurationRecord } from './h265/hvcc';
export type { HevcDecoderConfigurationRecord, HevcConfigDerived } from './h265/hvcc';
export { h265NalTypeName, h265SliceTypeName, H265_NAL, isH265Vcl } from './h265/nalTypes';
export { h265LevelName, h265ProfileName } from './h265/profile';
export type { H265PtlSummary } from './h265/ptl';
export type { H265HrdSummary } from './h265/hrd';
export type { H265StRps } from './h265/stRps';
export type { H265ScalingLists } from './h265/scalingList';

export { parseAudioSpecificConfig } from './aac/audioSpecificConfig';
export type { AudioSpecificConfig, AudioSpecificConfigDerived } from './aac/audioSpecificConfig';
export { aacDecoderOutput } from './aac/decoderOutput';
export { backwardCompatibleSbrForm } from './aac/kvsConfigLength';
export type { AacDecoderOutput, ContainerAudio } from './aac/decoderOutput';
export { adtsToAudioSpecificConfig, parseAdtsHeader, readAdtsFrameInfo } from './aac/adts';
export type { AdtsFrameInfo, AdtsHeader, AdtsHeaderDerived } from './aac/adts';
export { readLatmStreamMuxConfig, readLoasFrameLength } from './aac/latm';
export type { LatmStreamMuxConfig } from './aac/latm';
export { audioObjectTypeName, channelCount, samplingFrequency } from './aac/tables';
export { mpegAudioName, readMpegAudioFrameInfo } from './mpegAudio/frameHeader';
export type { MpegAudioFrameInfo } from './mpegAudio/frameHeader';
export { readAc3FrameInfo } from './ac3/syncFrame';
export { ac3FrameLengthAt, adtsFrameLengthAt, headersChainAt, loasFrameLengthAt, mpegAudioFrameLengthAt } from './audioFrameLength';
export type { FrameLengthAt } from './audioFrameLength';
export { legacyAacAudioSpecificConfig } from './aac/legacyCodecId';
export { opusPacketSamples } from './opus/packet';
export { readOpusControlHeader } from './opus/tsControlHeader';
export { readVorbisIdentification } from './vorbis/identification';
export type { VorbisIdentification } from './vorbis/identification';
export type { OpusAccessUnit } from './opus/tsControlHeader';
export type { Ac3FrameInfo } from './ac3/syncFrame';
export { parseWaveFormatEx, waveFormatOf, waveFormatTagName } from './wave/waveFormatEx';
export type { WaveFormatEx, WaveFormatExDerived } from './wave/waveFormatEx';
export { parseBitmapInfoHeader } from './vfw/bitmapInfoHeader';
export type { BitmapInfoHeader, BitmapInfoHeaderDerived } from './vfw/bitmapInfoHeader';

export { analyzeFrameNals, annexBRandomAccess } from './framing/frameNals';
export { beginsAccessUnit, leadingNalType } from './framing/accessUnitStart';
export type { ExpectedFraming, FrameNalAnalysis, FrameNalOptions, FrameNalUnit, InBandParameterSets } from './framing/frameNals';
export { buildParameterSetReference, recordParameterSets } from './framing/parameterSetReference';
export { inBandNals, spsType } from './framing/inBandNals';
export type { NalBytes } from './framing/inBandNals';
export type { ParameterSetReference } from './framing/parameterSetReference';

export {
  aacCodecString,
  ac3CodecString,
  avcCodecString,
  avcCodecStringFromRecord,
  avcCodecStringFromSps,
  hevcCodecString,
  hevcCodecStringFromRecord,
  hevcCodecStringFromSps,
  mpegAudioCodecString,
} from './codecString';
export { checkAacCodecPrivate, checkAvcRecord, checkHevcRecord, checkVideoCodecPrivate, checkWaveFormatCodecPrivate } from './checks';
