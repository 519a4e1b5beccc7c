import type { Fields, FieldValue } from '../../bits/syntax';
import type { SyntaxReader } from '../../bits/syntaxReader';

/** 4.4.1.1 program_config_element(); returns the number of output channels it describes. */
export function readProgramConfigElement(r: SyntaxReader, p: Fields): number {
  r.u(p, 'element_instance_tag', 4);
  r.u(p, 'object_type', 2);
  r.u(p, 'sampling_frequency_index', 4);
  const front = r.u(p, 'num_front_channel_elements', 4);
  const side = r.u(p, 'num_side_channel_elements', 4);
  const back = r.u(p, 'num_back_channel_elements', 4);
  const lfe = r.u(p, 'num_lfe_channel_elements', 2);
  const assoc = r.u(p, 'num_assoc_data_elements', 3);
  const cc = r.u(p, 'num_valid_cc_elements', 4);
  if (r.u(p, 'mono_mixdown_present', 1)) r.u(p, 'mono_mixdown_element_number', 4);
  if (r.u(p, 'stereo_mixdown_present', 1)) r.u(p, 'stereo_mixdown_element_number', 4);
  if (r.u(p, 'matrix_mixdown_idx_present', 1)) {
    r.u(p, 'matrix_mixdown_idx', 2);
    r.u(p, 'pseudo_surround_enable', 1);
  }
  let channels = lfe;
  const elements = (count: number, isCpe: string, tag: string): void => {
    const cpe: number[] = [];
    const tags: number[] = [];
    p[isCpe] = cpe;
    p[tag] = tags;
    for (let i = 0; i < count && r.ok; i++) {
      channels += r.within(isCpe, () => r.u(cpe, i, 1)) ? 2 : 1;
      r.within(tag, () => r.u(tags, i, 4));
    }
  };
  elements(front, 'front_element_is_cpe', 'front_element_tag_select');
  elements(side, 'side_element_is_cpe', 'side_element_tag_select');
  elements(back, 'back_element_is_cpe', 'back_element_tag_select');
  const list = (count: number, name: string, bits: number): void => {
    const values: number[] = [];
    p[name] = values;
    for (let i = 0; i < count && r.ok; i++) r.within(name, () => r.u(values, i, bits));
  };
  list(lfe, 'lfe_element_tag_select', 4);
  list(assoc, 'assoc_data_element_tag_select', 4);
  const indSw: number[] = [];
  const ccTags: number[] = [];
  p.cc_element_is_ind_sw = indSw;
  p.valid_cc_element_tag_select = ccTags;
  for (let i = 0; i < cc && r.ok; i++) {
    r.within('cc_element_is_ind_sw', () => r.u(indSw, i, 1));
    r.within('valid_cc_element_tag_select', () => r.u(ccTags, i, 4));
  }
  // byte_alignment(): relative to the start of the AudioSpecificConfig, or of the raw_data_block in
  // ADTS; both are where the reader starts, or a whole number of bytes after it
  const pad = (8 - (r.bits.pos % 8)) % 8;
  if (pad > 0) r.f({}, 'byte_alignment', pad);
  const commentBytes = r.u(p, 'comment_field_bytes', 8);
  const comment: FieldValue[] = [];
  p.comment_field_data = comment;
  for (let i = 0; i < commentBytes && r.ok; i++) r.within('comment_field_data', () => r.u(comment, i, 8));
  return channels;
}
