import { basename } from 'node:path';
import { inspect } from '../formats/inspect/inspect';
import { writeJsonReport } from '../formats/inspect/jsonReport';
import { walkStructure, type StructureVisitor } from '../formats/inspect/structure';
import { formatReport, writeStructureText } from '../formats/inspect/textReport';
import { InputError, openInput } from '../io/openInput';
import { writeStdout } from './stdout';

const USAGE = `Usage: kvs-inspect FILE [--json] [--checks] [--frames] [--tree]

Dissects an MKV/WebM (also KVS GetMedia output), MP4, fragmented MP4 or MPEG-TS file: tracks, codec
private data (avcC/hvcC with SPS/PPS/VPS, AudioSpecificConfig, WAVEFORMATEX, BITMAPINFOHEADER),
fragments, and the issues KVS would reject the stream for. FILE may be - for standard input, or a
pipe such as <(command); both are copied to a temporary file first.

  --json    one JSON document (format, tracks, fragments, issues)
  --frames  add one row per frame, with the NAL units of each H.264/H.265 frame (this reads every
            video frame, and the framing checks then judge every frame, not only the first of each fragment)
  --tree    add the container's structure, each field under its specification's name with its byte
            offset: every MP4 box with its fields, every EBML element with its value (and each
            block's header), or each MPEG-TS packet that starts a PES packet or a PAT/PMT section
  --checks  judge the framing of every video frame too, and exit with status 2 when an error-severity
            issue is found (for CI pipelines)`;

/**
 * What this run used, for the bin file's code cache (src/cli/launcher.ts): the container format and the
 * options. After a run of a kind the cache has not seen, the cache is written again to hold its code too.
 */
export let runKind: string | undefined;

const OPTIONS = ['json', 'frames', 'checks', 'tree'] as const;

type Arguments = { file: string } & Record<(typeof OPTIONS)[number], boolean>;

function parseArguments(argv: readonly string[]): Arguments | string {
  const flags = new Set(argv.filter((arg) => arg.startsWith('--')));
  const files = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = [...flags].filter((flag) => !OPTIONS.some((option) => flag === `--${option}`));
  if (unknown.length > 0) return `unknown option ${unknown[0]}`;
  if (files.length !== 1) return files.length === 0 ? 'no FILE given' : `one FILE expected, got ${files.length}`;
  return { file: files[0] ?? '', json: flags.has('--json'), frames: flags.has('--frames'), checks: flags.has('--checks'), tree: flags.has('--tree') };
}

/** Why an input could not be read, in a few words: an error code (ENOENT, EACCES) or what is wrong. */
function reason(error: unknown): string {
  if (error instanceof InputError) return error.message;
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    writeStdout(`${USAGE}\n`);
    return 0;
  }
  const args = parseArguments(argv);
  if (typeof args === 'string') {
    process.stderr.write(`kvs-inspect: ${args}\n\n${USAGE}\n`);
    return 1;
  }
  let source: ReturnType<typeof openInput>;
  try {
    source = openInput(args.file);
  } catch (error) {
    process.stderr.write(`kvs-inspect: cannot read ${args.file}: ${reason(error)}\n`);
    return 1;
  }
  try {
    let report: ReturnType<typeof inspect>;
    try {
      // For a CI gate, the framing checks judge every frame, not only the first of each fragment.
      report = inspect(source, { frameNals: args.frames, everyFrame: args.checks });
    } catch (error) {
      // The parsers report bad bytes as issues; what throws is the reading itself (an I/O error), or a
      // defect of ours, which should not pass for a bad file.
      const io = error instanceof InputError || typeof (error as NodeJS.ErrnoException).code === 'string';
      process.stderr.write(io ? `kvs-inspect: cannot read ${args.file}: ${reason(error)}\n` : `kvs-inspect: internal error while inspecting ${args.file} (a defect of kvs-inspect, please report it): ${String(error)}\n`);
      return 1;
    }
    if (report.format === 'unknown') {
      const found = report.issues[0];
      process.stderr.write(`kvs-inspect: ${args.file}: ${found?.message ?? 'unreadable'} (byte ${found?.offset ?? 0})\n`);
      return 1;
    }
    runKind = [report.format, ...OPTIONS.filter((option) => args[option])].join('+');
    const name = args.file === '-' ? 'stdin' : basename(args.file);
    const structure = args.tree ? (visit: StructureVisitor) => walkStructure(source, visit) : undefined;
    if (args.json) {
      writeJsonReport(report, args.frames, writeStdout, structure);
    } else {
      writeStdout(formatReport(report, { name, frames: args.frames }));
      if (structure) writeStructureText(structure, writeStdout);
    }
    return args.checks && report.issues.some((found) => found.severity === 'error') ? 2 : 0;
  } finally {
    source.close();
  }
}

// The output is written (synchronously, see stdout.ts): exit at once. A natural exit would first wait for
// V8's background compile jobs, which can no longer help, to finish (up to ~15 ms of a 100 ms run).
process.exit(main(process.argv.slice(2)));
