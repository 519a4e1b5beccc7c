import type { SyntaxReader } from '../../bits/syntaxReader';
import type { Fields, FieldValue } from '../../bits/syntax';

export interface H265HrdSummary {
  nal: boolean;
  vcl: boolean;
  /** Per sub-layer, per CPB: BitRate (E-48) in bit/s and CpbSize (E-49) in bits of the NAL HRD (else VCL). */
  subLayers: ({ bitRate: number; cpbSize: number; cbr: boolean }[] | null)[];
}

/** The common HRD flags; an hrd_parameters() without common information takes them from the previous one (E.3.2). */
export interface HrdCommonFlags {
  nal: number;
  vcl: number;
  subPic: number;
}

/** E.2.2 hrd_parameters(commonInfPresentFlag, maxNumSubLayersMinus1); returns the common flags in effect. */
export function readH265Hrd(r: SyntaxReader, h: Fields, commonInf: boolean, maxSubLayersMinus1: number, inherited?: HrdCommonFlags): HrdCommonFlags {
  let nal = commonInf ? 0 : (inherited?.nal ?? 0);
  let vcl = commonInf ? 0 : (inherited?.vcl ?? 0);
  let subPic = commonInf ? 0 : (inherited?.subPic ?? 0);
  if (commonInf) {
    nal = r.u(h, 'nal_hrd_parameters_present_flag', 1);
    vcl = r.u(h, 'vcl_hrd_parameters_present_flag', 1);
    if (nal || vcl) {
      subPic = r.u(h, 'sub_pic_hrd_params_present_flag', 1);
      if (subPic) {
        r.u(h, 'tick_divisor_minus2', 8);
        r.u(h, 'du_cpb_removal_delay_increment_length_minus1', 5);
        r.u(h, 'sub_pic_cpb_params_in_pic_timing_sei_flag', 1);
        r.u(h, 'dpb_output_delay_du_length_minus1', 5);
      }
      r.u(h, 'bit_rate_scale', 4);
      r.u(h, 'cpb_size_scale', 4);
      if (subPic) r.u(h, 'cpb_size_du_scale', 4);
      r.u(h, 'initial_cpb_removal_delay_length_minus1', 5);
      r.u(h, 'au_cpb_removal_delay_length_minus1', 5);
      r.u(h, 'dpb_output_delay_length_minus1', 5);
    }
  }
  const count = maxSubLayersMinus1 + 1;
  const arr = (name: string): FieldValue[] => {
    const a = new Array<FieldValue>(count).fill(null);
    h[name] = a;
    return a;
  };
  const fixedGeneral = arr('fixed_pic_rate_general_flag');
  const fixedCvs = arr('fixed_pic_rate_within_cvs_flag');
  const duration = arr('elemental_duration_in_tc_minus1');
  const lowDelay = arr('low_delay_hrd_flag');
  const cpbCnt = arr('cpb_cnt_minus1');
  const nalSub = nal ? arr('nal_sub_layer_hrd_parameters') : [];
  const vclSub = vcl ? arr('vcl_sub_layer_hrd_parameters') : [];
  for (let i = 0; i < count && r.ok; i++) {
    const general = r.within('fixed_pic_rate_general_flag', () => r.u(fixedGeneral, i, 1));
    let withinCvs = general; // inferred 1 when fixed_pic_rate_general_flag is 1
    if (!general) withinCvs = r.within('fixed_pic_rate_within_cvs_flag', () => r.u(fixedCvs, i, 1));
    let low = 0;
    if (withinCvs) r.within('elemental_duration_in_tc_minus1', () => r.ue(duration, i));
    else low = r.within('low_delay_hrd_flag', () => r.u(lowDelay, i, 1));
    let cnt = 0;
    if (!low) {
      cnt = r.within('cpb_cnt_minus1', () => r.ue(cpbCnt, i));
      if (cnt > 31) {
        r.within('cpb_cnt_minus1', () => r.invalid(i, `is ${cnt}; the range is 0..31`));
        break;
      }
    }
    if (nal) {
      const s: Fields = {};
      nalSub[i] = s;
      r.within('nal_sub_layer_hrd_parameters', () => r.within(i, () => readSubLayerHrd(r, s, cnt + 1, subPic === 1)));
    }
    if (vcl) {
      const s: Fields = {};
      vclSub[i] = s;
      r.within('vcl_sub_layer_hrd_parameters', () => r.within(i, () => readSubLayerHrd(r, s, cnt + 1, subPic === 1)));
    }
  }
  return { nal, vcl, subPic };
}

/** E.2.3 sub_layer_hrd_parameters(subLayerId). */
function readSubLayerHrd(r: SyntaxReader, s: Fields, cpbCnt: number, subPic: boolean): void {
  const names = subPic
    ? ['bit_rate_value_minus1', 'cpb_size_value_minus1', 'cpb_size_du_value_minus1', 'bit_rate_du_value_minus1']
    : ['bit_rate_value_minus1', 'cpb_size_value_minus1'];
  const arrays = names.map((n) => {
    const a: number[] = [];
    s[n] = a;
    return a;
  });
  const cbr: number[] = [];
  s.cbr_flag = cbr;
  for (let i = 0; i < cpbCnt && r.ok; i++) {
    names.forEach((n, k) => r.within(n, () => r.ue(arrays[k] ?? [], i)));
    r.within('cbr_flag', () => r.u(cbr, i, 1));
  }
}

export function summarizeH265Hrd(h: Fields): H265HrdSummary {
  const nal = h.nal_hrd_parameters_present_flag === 1;
  const vcl = h.vcl_hrd_parameters_present_flag === 1;
  const rateScale = typeof h.bit_rate_scale === 'number' ? h.bit_rate_scale : 0;
  const sizeScale = typeof h.cpb_size_scale === 'number' ? h.cpb_size_scale : 0;
  const source = nal ? h.nal_sub_layer_hrd_parameters : h.vcl_sub_layer_hrd_parameters;
  const subLayers: H265HrdSummary['subLayers'] = [];
  if (Array.isArray(source)) {
    for (const s of source) {
      if (!s || typeof s !== 'object' || Array.isArray(s)) {
        subLayers.push(null);
        continue;
      }
      const rates = Array.isArray(s.bit_rate_value_minus1) ? s.bit_rate_value_minus1 : [];
      const sizes = Array.isArray(s.cpb_size_value_minus1) ? s.cpb_size_value_minus1 : [];
      const cbrs = Array.isArray(s.cbr_flag) ? s.cbr_flag : [];
      const list: { bitRate: number; cpbSize: number; cbr: boolean }[] = [];
      for (let i = 0; i < rates.length; i++) {
        const rate = rates[i];
        const size = sizes[i];
        if (typeof rate !== 'number' || typeof size !== 'number') break;
        list.push({ bitRate: (rate + 1) * 2 ** (6 + rateScale), cpbSize: (size + 1) * 2 ** (4 + sizeScale), cbr: cbrs[i] === 1 });
      }
      subLayers.push(list);
    }
  }
  return { nal, vcl, subLayers };
}
