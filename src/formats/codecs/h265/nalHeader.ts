import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields } from '../../bits/syntax';
import { h265NalTypeName } from './nalTypes';

/** 7.3.1.2 nal_unit_header(): forbidden_zero_bit, nal_unit_type, nuh_layer_id, nuh_temporal_id_plus1. */
export function readH265NalHeader(r: SyntaxReader, f: Fields): number {
  if (r.f(f, 'forbidden_zero_bit', 1) === 1) r.invalid('forbidden_zero_bit', 'is 1; this is not a valid NAL unit');
  const type = r.u(f, 'nal_unit_type', 6);
  r.u(f, 'nuh_layer_id', 6);
  if (r.u(f, 'nuh_temporal_id_plus1', 3) === 0 && r.ok) r.invalid('nuh_temporal_id_plus1', 'is 0; it must not be');
  return type;
}

export function describeH265Nal(nal: Uint8Array, type: number): string {
  if (nal.length === 0) return 'no bytes';
  if (nal.length >= 3 && nal[0] === 0 && nal[1] === 0 && (nal[2] === 1 || (nal[2] === 0 && nal[3] === 1))) {
    return 'an Annex-B start code (00 00 01): pass the NAL unit without its start code';
  }
  return `nal_unit_type ${type} (${h265NalTypeName(type)})`;
}
