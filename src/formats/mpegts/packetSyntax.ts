// The fields of one transport packet under the names of ISO/IEC 13818-1's syntax tables, each with its
// place: the packet header (§2.4.3.2), the adaptation field (§2.4.3.4), then what the payload starts:
// a PES packet header (§2.4.3.6) or a PAT/PMT section (§2.4.4). What runs on into later packets (a long
// section, the PES payload) is listed as bytes up to the end of this packet.
import { containerField, type ContainerField } from '../bits/syntax';
import { pesHasOptionalHeader } from './pes';

export const TS_PACKET_SIZE = 188;

/** What the packet's payload holds, as the PAT and PMTs read so far say. */
export type PacketPayload = 'pat' | 'pmt' | 'other';

/** Records fields read MSB first from one packet; a field the packet is too short for ends the reading. */
class FieldRecorder {
  readonly fields: ContainerField[] = [];
  /** The next bit to read, from the packet's first bit. */
  bit = 0;
  prefix = '';

  constructor(
    private readonly packet: Uint8Array,
    /** Absolute offset of packet[0]. */
    private readonly offset: number,
  ) {}

  get bitsLeft(): number {
    return this.packet.length * 8 - this.bit;
  }

  /** A field of `bits` bits (at most 53); -1, recording nothing, when the packet ends first. */
  u(name: string, bits: number, descriptor = bits === 1 ? 'bslbf' : 'uimsbf'): number {
    if (bits > this.bitsLeft) {
      this.bit = this.packet.length * 8;
      return -1;
    }
    let value = 0;
    for (let i = this.bit; i < this.bit + bits; i++) value = value * 2 + (((this.packet[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
    this.push(name, value, descriptor, bits);
    return value;
  }

  /** n whole bytes (cut to the packet), recorded as a byte string: its value is its length. */
  bytes(name: string, n: number): void {
    const length = Math.min(n, this.bitsLeft >> 3);
    if (length > 0) this.push(name, length, `bit(8*${length})`, length * 8);
  }

  private push(name: string, value: number, descriptor: string, bitLength: number): void {
    this.fields.push(containerField(this.prefix + name, value, descriptor, this.offset, this.bit, bitLength));
    this.bit += bitLength;
  }
}

/**
 * The fields of the 188-byte packet `packet` at absolute `offset`. Never throws: a packet cut short,
 * or with lengths that run past it, gives the fields up to its end.
 */
export function packetSyntax(packet: Uint8Array, offset: number, payload: PacketPayload): ContainerField[] {
  const r = new FieldRecorder(packet.subarray(0, TS_PACKET_SIZE), offset);
  r.u('sync_byte', 8, 'bslbf');
  r.u('transport_error_indicator', 1);
  const unitStart = r.u('payload_unit_start_indicator', 1);
  r.u('transport_priority', 1);
  r.u('PID', 13);
  r.u('transport_scrambling_control', 2, 'bslbf');
  const control = r.u('adaptation_field_control', 2, 'bslbf');
  r.u('continuity_counter', 4);
  if (control === 2 || control === 3) adaptationField(r);
  if (control !== 1 && control !== 3) return r.fields;
  if (unitStart === 1 && payload !== 'other') section(r, payload);
  else if (unitStart === 1 && packet[r.bit >> 3] === 0 && packet[(r.bit >> 3) + 1] === 0 && packet[(r.bit >> 3) + 2] === 1) pesHeader(r);
  r.bytes('data_byte', r.bitsLeft >> 3);
  return r.fields;
}

function adaptationField(r: FieldRecorder): void {
  const length = r.u('adaptation_field_length', 8);
  if (length <= 0) return;
  const end = r.bit + length * 8;
  r.prefix = 'adaptation_field.';
  r.u('discontinuity_indicator', 1);
  r.u('random_access_indicator', 1);
  r.u('elementary_stream_priority_indicator', 1);
  const pcr = r.u('PCR_flag', 1);
  const opcr = r.u('OPCR_flag', 1);
  const splicing = r.u('splicing_point_flag', 1);
  const privateData = r.u('transport_private_data_flag', 1);
  const extension = r.u('adaptation_field_extension_flag', 1);
  if (pcr === 1 && r.bit + 48 <= end) clockReference(r, '');
  if (opcr === 1 && r.bit + 48 <= end) clockReference(r, 'original_');
  if (splicing === 1 && r.bit + 8 <= end) r.u('splice_countdown', 8, 'tcimsbf');
  if (privateData === 1 && r.bit + 8 <= end) r.bytes('private_data_byte', Math.min(r.u('transport_private_data_length', 8), (end - r.bit) >> 3));
  if (extension === 1 && r.bit + 8 <= end) r.bytes('adaptation_field_extension', Math.min(r.u('adaptation_field_extension_length', 8), (end - r.bit) >> 3));
  r.bytes('stuffing_byte', (end - r.bit) >> 3);
  r.prefix = '';
}

function clockReference(r: FieldRecorder, prefix: string): void {
  r.u(`${prefix}program_clock_reference_base`, 33);
  r.u('reserved', 6, 'bslbf');
  r.u(`${prefix}program_clock_reference_extension`, 9);
}

function pesHeader(r: FieldRecorder): void {
  r.prefix = 'PES_packet.';
  r.u('packet_start_code_prefix', 24, 'bslbf');
  const streamId = r.u('stream_id', 8);
  r.u('PES_packet_length', 16);
  if (streamId < 0 || !pesHasOptionalHeader(streamId)) {
    r.prefix = '';
    return;
  }
  r.u("'10'", 2, 'bslbf');
  r.u('PES_scrambling_control', 2, 'bslbf');
  for (const flag of ['PES_priority', 'data_alignment_indicator', 'copyright', 'original_or_copy']) r.u(flag, 1);
  const ptsDts = r.u('PTS_DTS_flags', 2, 'bslbf');
  for (const flag of ['ESCR_flag', 'ES_rate_flag', 'DSM_trick_mode_flag', 'additional_copy_info_flag', 'PES_CRC_flag', 'PES_extension_flag']) r.u(flag, 1);
  const headerLength = r.u('PES_header_data_length', 8);
  const end = r.bit + Math.max(0, headerLength) * 8;
  if (ptsDts === 2 || ptsDts === 3) timestamp(r, 'PTS', ptsDts === 3 ? 3 : 2);
  if (ptsDts === 3) timestamp(r, 'DTS', 1);
  // ESCR, ES_rate, trick mode, copy info, CRC and extension are left as bytes: KVS producers do not write them.
  r.bytes('optional_fields_and_stuffing_bytes', (end - r.bit) >> 3);
  r.prefix = '';
}

/** A 33-bit PTS or DTS in three parts with marker bits, after a 4-bit code ('0010', '0011', '0001'). */
function timestamp(r: FieldRecorder, name: 'PTS' | 'DTS', code: number): void {
  r.u(`'${code.toString(2).padStart(4, '0')}'`, 4, 'bslbf');
  r.u(`${name} [32..30]`, 3, 'bslbf');
  r.u('marker_bit', 1);
  r.u(`${name} [29..15]`, 15, 'bslbf');
  r.u('marker_bit', 1);
  r.u(`${name} [14..0]`, 15, 'bslbf');
  r.u('marker_bit', 1);
}

function section(r: FieldRecorder, payload: 'pat' | 'pmt'): void {
  const pointer = r.u('pointer_field', 8);
  r.bytes('end_of_previous_section', Math.max(0, pointer));
  const pat = payload === 'pat';
  r.prefix = pat ? 'program_association_section.' : 'TS_program_map_section.';
  r.u('table_id', 8);
  r.u('section_syntax_indicator', 1);
  r.u("'0'", 1, 'bslbf');
  r.u('reserved', 2, 'bslbf');
  const length = r.u('section_length', 12);
  const crcAt = r.bit + Math.max(0, length - 4) * 8;
  // Loops stop at the CRC or at the end of the packet, whichever comes first.
  const limit = Math.min(crcAt, r.bit + r.bitsLeft);
  r.u(pat ? 'transport_stream_id' : 'program_number', 16);
  r.u('reserved', 2, 'bslbf');
  r.u('version_number', 5);
  r.u('current_next_indicator', 1, 'bslbf');
  r.u('section_number', 8);
  r.u('last_section_number', 8);
  const prefix = r.prefix;
  if (pat) {
    for (let i = 0; r.bit + 32 <= limit; i++) {
      r.prefix = `${prefix}program[${i}].`;
      const program = r.u('program_number', 16);
      r.u('reserved', 3, 'bslbf');
      r.u(program === 0 ? 'network_PID' : 'program_map_PID', 13);
    }
  } else {
    r.u('reserved', 3, 'bslbf');
    r.u('PCR_PID', 13);
    r.u('reserved', 4, 'bslbf');
    descriptors(r, r.u('program_info_length', 12), limit, prefix);
    for (let i = 0; r.bit + 40 <= limit; i++) {
      r.prefix = `${prefix}stream[${i}].`;
      r.u('stream_type', 8);
      r.u('reserved', 3, 'bslbf');
      r.u('elementary_PID', 13);
      r.u('reserved', 4, 'bslbf');
      descriptors(r, r.u('ES_info_length', 12), limit, r.prefix);
    }
  }
  r.prefix = prefix;
  if (r.bit === crcAt) r.u('CRC_32', 32, 'rpchof');
  r.prefix = '';
}

/** A descriptor loop of `length` bytes (cut at `limit`): tag, length and data of each. */
function descriptors(r: FieldRecorder, length: number, limit: number, prefix: string): void {
  const end = Math.min(r.bit + Math.max(0, length) * 8, limit);
  for (let i = 0; r.bit + 16 <= end; i++) {
    r.prefix = `${prefix}descriptor[${i}].`;
    r.u('descriptor_tag', 8);
    const size = r.u('descriptor_length', 8);
    r.bytes('descriptor_data', Math.min(size, (end - r.bit) >> 3));
  }
  r.prefix = prefix;
}
