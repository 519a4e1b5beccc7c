/**
 * Appends `items` to `target`, one by one. `target.push(...items)` passes every item as an argument on
 * the call stack, which a long list (the issues or table rows of a file of 100 000 fragments) overflows.
 */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
