import type { Fields } from '../bits/syntax';
import type { SyntaxReader } from '../bits/syntaxReader';

/**
 * The start of vui_parameters(), the same in H.264 (E.1.1) and H.265 (E.2.1): aspect ratio, overscan,
 * video signal type and colour description, chroma sample location. The two specifications name one
 * field differently: `matrix_coefficients` (H.264) and `matrix_coeffs` (H.265).
 */
export function readVuiPrefix(r: SyntaxReader, v: Fields, matrixField: 'matrix_coefficients' | 'matrix_coeffs'): void {
  if (r.u(v, 'aspect_ratio_info_present_flag', 1)) {
    if (r.u(v, 'aspect_ratio_idc', 8) === 255) {
      r.u(v, 'sar_width', 16);
      r.u(v, 'sar_height', 16);
    }
  }
  if (r.u(v, 'overscan_info_present_flag', 1)) r.u(v, 'overscan_appropriate_flag', 1);
  if (r.u(v, 'video_signal_type_present_flag', 1)) {
    r.u(v, 'video_format', 3);
    r.u(v, 'video_full_range_flag', 1);
    if (r.u(v, 'colour_description_present_flag', 1)) {
      r.u(v, 'colour_primaries', 8);
      r.u(v, 'transfer_characteristics', 8);
      r.u(v, matrixField, 8);
    }
  }
  if (r.u(v, 'chroma_loc_info_present_flag', 1)) {
    r.ue(v, 'chroma_sample_loc_type_top_field');
    r.ue(v, 'chroma_sample_loc_type_bottom_field');
  }
}
