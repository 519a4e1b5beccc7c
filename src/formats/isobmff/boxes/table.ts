import type { BoxReader } from '../reader';
import type { BoxContext } from '../types';

/**
 * How many fixed-size entries of a declared count fit in what is left of the box; reports a
 * 'TABLE_TRUNCATED' issue when fewer fit than declared.
 */
export function fitEntries(r: BoxReader, ctx: BoxContext, declared: number, entrySize: number): number {
  const room = Math.floor(r.remaining() / entrySize);
  if (declared <= room) return declared;
  ctx.issue('error', 'TABLE_TRUNCATED', `${ctx.type} declares ${declared} entries, room for ${room}`, r.offset);
  return room;
}
