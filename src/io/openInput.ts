import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from './fileSource';

const COPY_CHUNK = 1024 * 1024;

/** An input that cannot be read: what is wrong, in a few words (the CLIs print it after the path). */
export class InputError extends Error {}

/**
 * A command-line input as a FileSource: a regular file as it is; standard input (`-`), a pipe, a FIFO or
 * `<(command)` copied to a temporary file first, which close() removes. (Their size is not known before
 * the end, and inspecting needs random access; a copy on disk keeps memory flat however long the stream.)
 */
export function openInput(path: string): FileSource {
  const fd = path === '-' ? 0 : openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError('is a directory');
    if (stat.isFile()) return path === '-' ? spool(fd) : new FileSource(path);
    return spool(fd);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/** A copy that is removed with its directory when closed. */
class TemporaryFileSource extends FileSource {
  constructor(private readonly directory: string) {
    super(join(directory, 'input'));
  }

  override close(): void {
    super.close();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

function spool(fd: number): FileSource {
  const directory = mkdtempSync(join(tmpdir(), 'kvs-inspect-'));
  try {
    const out = openSync(join(directory, 'input'), 'w', 0o600);
    try {
      const chunk = Buffer.allocUnsafe(COPY_CHUNK);
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) writeSync(out, chunk, 0, n);
    } finally {
      closeSync(out);
    }
    return new TemporaryFileSource(directory);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
