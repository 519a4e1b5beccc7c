import type { Box } from './types';

/** The first child of a type. */
export function childBox(box: Box | undefined, type: string): Box | undefined {
  const children = box?.children;
  if (!children) return undefined;
  for (const c of children) if (c.type === type) return c;
  return undefined;
}

/** All children of a type. */
export function childBoxes(box: Box | undefined, type: string): Box[] {
  return box?.children?.filter((c) => c.type === type) ?? [];
}

/** Boxes at a slash-separated path from a list of boxes: `findBoxes(tree, 'moov/trak/tkhd')`. */
export function findBoxes(boxes: readonly Box[], path: string): Box[] {
  let level: readonly Box[] = boxes;
  let found: Box[] = [];
  for (const type of path.split('/')) {
    found = level.filter((b) => b.type === type);
    level = found.flatMap((b) => b.children ?? []);
  }
  return found;
}

/** The innermost box containing an absolute offset, with its ancestors (outermost first). */
export function boxPathAt(boxes: readonly Box[], offset: number): Box[] {
  const path: Box[] = [];
  let level: readonly Box[] | undefined = boxes;
  while (level) {
    const hit: Box | undefined = level.find((b) => offset >= b.offset && offset < b.offset + b.size);
    if (!hit) break;
    path.push(hit);
    level = hit.children;
  }
  return path;
}
