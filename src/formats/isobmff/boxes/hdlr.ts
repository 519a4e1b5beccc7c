import { defineBox } from './define';

export interface HandlerFields {
  /** 'vide', 'soun', 'hint', 'meta', 'text', 'subt', 'sbtl', 'mdir', ... */
  handlerType: string;
  name: string;
}

export const hdlr = defineBox({
  type: 'hdlr',
  name: 'HandlerBox',
  full: true,
  parse(r): HandlerFields {
    r.skip(4, 'pre_defined'); // QuickTime: component type
    const handlerType = r.fourcc('handler_type');
    r.skip(12, 'reserved');
    // ISO: NUL-terminated UTF-8. QuickTime: a Pascal string (length byte first).
    let name: string;
    const first = r.bytes[r.pos];
    if (first !== undefined && first > 0 && first === r.remaining() - 1 && r.bytes[r.pos + first] !== 0) {
      const at = r.pos;
      r.skip(1);
      name = r.cstring(r.pos + first);
      r.note('name', at, 1 + first, name, 'pstring');
    } else {
      name = r.cstring(r.end, 'name');
    }
    return { handlerType, name };
  },
});
