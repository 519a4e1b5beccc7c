/**
 * Entry for a CLI whose feature has not landed: `--help` prints usage and exits 0; anything else
 * prints usage and a notice and exits 2, so scripts do not mistake it for success.
 */
export function runPlaceholderCli(usage: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exitCode = argv.length === 0 ? 2 : 0;
    return;
  }
  process.stderr.write(`${usage}\n\nNot implemented yet in this version.\n`);
  process.exitCode = 2;
}
