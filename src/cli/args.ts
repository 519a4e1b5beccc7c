// Command-line options of the three CLIs: `--name value` options, `--flag` switches, positionals.

export interface OptionSpec {
  /** Options that take a value. */
  values?: readonly string[];
  /** Switches. */
  flags?: readonly string[];
}

export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
  positionals: string[];
}

/** Parses argv; returns an error message naming the offending argument instead of throwing. */
export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs | string {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
    } else if (spec.values?.includes(arg)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
      values.set(arg, value);
      i++;
    } else if (spec.flags?.includes(arg)) {
      flags.add(arg);
    } else {
      return `unknown option ${arg}`;
    }
  }
  return { values, flags, positionals };
}

/** A port number option, or an error message naming it. */
export function parsePort(text: string | undefined, fallback: number, name = '--port'): number | string {
  if (text === undefined) return fallback;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : `${name} must be a port number (0–65535), got "${text}"`;
}
