// Names of SEI payloadType values as the syntax tables call them (H.264 D.1.1, H.265 D.2.1/7.3.5), for
// the frame rows. The numbers both codecs define mean the same; 128-136 are H.265's only.
const NAMES: Readonly<Record<number, string>> = {
  0: 'buffering_period',
  1: 'pic_timing',
  2: 'pan_scan_rect',
  3: 'filler_payload',
  4: 'user_data_registered_itu_t_t35',
  5: 'user_data_unregistered',
  6: 'recovery_point',
  7: 'dec_ref_pic_marking_repetition',
  9: 'scene_info',
  19: 'film_grain_characteristics',
  23: 'tone_mapping_info',
  45: 'frame_packing_arrangement',
  47: 'display_orientation',
  128: 'structure_of_pictures_info',
  129: 'active_parameter_sets',
  130: 'decoding_unit_info',
  131: 'temporal_sub_layer_zero_idx',
  132: 'decoded_picture_hash',
  133: 'scalable_nesting',
  134: 'region_refresh_info',
  135: 'no_display',
  136: 'time_code',
  137: 'mastering_display_colour_volume',
  144: 'content_light_level_info',
  147: 'alternative_transfer_characteristics',
  148: 'ambient_viewing_environment',
};

/** `recovery_point`, or `payloadType 200` for a type without a name here. */
export function seiPayloadName(payloadType: number): string {
  return NAMES[payloadType] ?? `payloadType ${payloadType}`;
}
