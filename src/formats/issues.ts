/**
 * A finding about the bytes: parsers never throw on bad input, they return what they could read plus
 * issues like these. `code` is stable (tests and `--checks` pipelines key on it); `offset` is the
 * absolute byte offset in the input where the problem is.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Issue {
  severity: Severity;
  code: string;
  message: string;
  offset: number;
  /** What to change so KVS accepts the stream or plays it well. */
  hint?: string;
}

export function issue(severity: Severity, code: string, message: string, offset: number, hint?: string): Issue {
  return hint === undefined ? { severity, code, message, offset } : { severity, code, message, offset, hint };
}
