import type { BoxSpec } from '../types';

/** Identity helper that keeps a box spec's field type for the registry's type map. */
export function defineBox<const T extends string, F>(spec: BoxSpec<F> & { readonly type: T }): BoxSpec<F> & { readonly type: T } {
  return spec;
}

/** A box that only holds other boxes. */
export function containerBox<const T extends string>(type: T, name: string): BoxSpec<undefined> & { readonly type: T } {
  return { type, name, container: true };
}
