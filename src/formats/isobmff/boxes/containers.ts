import { containerBox } from './define';

// Boxes that only hold other boxes (ISO/IEC 14496-12).
export const moov = containerBox('moov', 'MovieBox');
export const trak = containerBox('trak', 'TrackBox');
export const edts = containerBox('edts', 'EditBox');
export const mdia = containerBox('mdia', 'MediaBox');
export const minf = containerBox('minf', 'MediaInformationBox');
export const dinf = containerBox('dinf', 'DataInformationBox');
export const stbl = containerBox('stbl', 'SampleTableBox');
export const mvex = containerBox('mvex', 'MovieExtendsBox');
export const moof = containerBox('moof', 'MovieFragmentBox');
export const traf = containerBox('traf', 'TrackFragmentBox');
export const mfra = containerBox('mfra', 'MovieFragmentRandomAccessBox');
export const udta = containerBox('udta', 'UserDataBox');
export const sinf = containerBox('sinf', 'ProtectionSchemeInfoBox');
export const schi = containerBox('schi', 'SchemeInformationBox');
export const tref = containerBox('tref', 'TrackReferenceBox');
