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
  /** ISSUES_SUPPRESSED: how many issues of its code it stands for (those not listed). */
  notListed?: number;
}

export function issue(severity: Severity, code: string, message: string, offset: number, hint?: string): Issue {
  return hint === undefined ? { severity, code, message, offset } : { severity, code, message, offset, hint };
}

/** Issues of one code beyond this many are counted, not listed. */
const MAX_ISSUES_PER_CODE = 100;

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The more serious of two severities. */
function worse(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

/** What an ISSUES_SUPPRESSED issue says of those it stands for: the most serious severity, the first offset. */
interface NotListed {
  severity: Severity;
  offset: number;
}

/**
 * Issues as a reader finds them: the first `max` of each code are kept, the rest counted, so that a
 * damaged file repeating one fault thousands of times neither fills memory nor buries the other faults.
 */
export class IssueLog {
  readonly issues: Issue[] = [];
  /** How many issues of each code were found, kept or not. */
  readonly counts: Record<string, number> = {};
  private readonly notListed = new Map<string, NotListed>();

  constructor(private readonly max = MAX_ISSUES_PER_CODE) {}

  readonly add = (found: Issue): void => {
    const n = (this.counts[found.code] ?? 0) + 1;
    this.counts[found.code] = n;
    if (n <= this.max) this.issues.push(found);
    else {
      const first = this.notListed.get(found.code);
      if (first) first.severity = worse(first.severity, found.severity);
      else this.notListed.set(found.code, { severity: found.severity, offset: found.offset });
    }
  };

  /** The issues kept, then one ISSUES_SUPPRESSED for each code that had more. */
  finish(): Issue[] {
    for (const [code, first] of this.notListed) this.issues.push(suppressedIssues(code, this.counts[code] ?? 0, this.max, first));
    this.notListed.clear();
    return this.issues;
  }
}

/** The first `max` issues of each code, in their order, and for each code with more an issue counting the rest. */
export function capIssuesPerCode(issues: readonly Issue[], max = MAX_ISSUES_PER_CODE): Issue[] {
  const log = new IssueLog(max);
  for (const found of issues) log.add(found);
  return log.finish();
}

/**
 * The issue that stands for the `n - max` issues of `code` not listed: at the offset of the first of
 * them, with the most serious severity among them (so that counts of errors and warnings stay true).
 */
function suppressedIssues(code: string, n: number, max: number, { severity, offset }: NotListed): Issue {
  const found = issue(severity, 'ISSUES_SUPPRESSED', `${n - max} more '${code}' issues not listed (${n} in all)`, offset);
  found.notListed = n - max;
  return found;
}

/** How many issues of `severity` a list stands for, those an ISSUES_SUPPRESSED counts included. */
export function issueCount(issues: readonly Issue[], severity: Severity): number {
  return issues.reduce((n, found) => (found.severity === severity ? n + (found.notListed ?? 1) : n), 0);
}
