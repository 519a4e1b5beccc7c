// Timestamps in restJson1 bodies are epoch seconds (fractional from SDK v3 today, integers from older
// clients; research §1.1). Read them as milliseconds, naming the member when one is wrong.
import { KvsError } from '../http/errors';
import { isJsonObject } from '../control/validate';

/** `object[member]` as Unix milliseconds; `path` names it in the error ("StartSelector.StartTimestamp"). */
export function timestampMember(object: unknown, member: string, path: string, required = false): number | undefined {
  const value = isJsonObject(object) ? object[member] : undefined;
  if (value === undefined || value === null) {
    if (required) throw new KvsError('InvalidArgumentException', `${path} is required.`);
    return undefined;
  }
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(seconds)) throw new KvsError('InvalidArgumentException', `${path} must be a timestamp (epoch seconds), got ${JSON.stringify(value)}.`);
  return Math.round(seconds * 1000);
}

/** Unix milliseconds as the epoch seconds a response carries. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
