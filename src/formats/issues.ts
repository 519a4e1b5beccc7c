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

/** Issues of one code beyond this many are counted, not listed. */
export const MAX_ISSUES_PER_CODE = 100;

/**
 * The first `max` issues of each code, in their order, and for each code with more an info issue
 * counting the rest: a damaged file can repeat one fault thousands of times.
 */
export function capIssuesPerCode(issues: readonly Issue[], max: number): Issue[] {
  const counts = new Map<string, number>();
  const kept = issues.filter((found) => {
    const n = (counts.get(found.code) ?? 0) + 1;
    counts.set(found.code, n);
    return n <= max;
  });
  for (const [code, n] of counts) if (n > max) kept.push(suppressedIssues(code, n, max));
  return kept;
}

/** The info issue that counts the `n - max` issues of `code` not listed. */
export function suppressedIssues(code: string, n: number, max: number): Issue {
  return issue('info', 'ISSUES_SUPPRESSED', `${n - max} more '${code}' issues not listed (${n} in all)`, 0);
}
