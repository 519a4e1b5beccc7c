import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from './fileSource';

const COPY_CHUNK = 1024 * 1024;

/** An input that cannot be read: what is wrong, in a few words (the CLIs print it after the path). */
export class InputError extends Error {}

/**
 * A command-line input as a FileSource: a regular file as it is; standard input (`-`), a pipe, a FIFO or
 * `<(command)` copied to a temporary file first, removed as soon as it is open (where the system does not
 * allow that, when the source is closed). Their size is not known before the end, and inspecting needs
 * random access; a copy on disk keeps memory flat however long the stream.
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

/** A copy read through its descriptor; its directory, if it could not be removed at once, is removed when closed. */
class TemporaryFileSource extends FileSource {
  constructor(fd: number, private readonly directory: string | undefined) {
    super(fd);
  }

  override close(): void {
    super.close();
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Removes a directory (with the open copy in it); false where the system does not allow it (Windows). */
function removedAtOnce(directory: string): boolean {
  try {
    rmSync(directory, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

function spool(fd: number): FileSource {
  const directory = mkdtempSync(join(tmpdir(), 'kvs-inspect-'));
  let copy: number;
  try {
    copy = openSync(join(directory, 'input'), 'w+', 0o600);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  // Removed before the copy is made (the descriptor keeps the data), so that none is left behind however
  // the process ends: interrupted, or stopped by a closed pipe (`| head`) before it closes the source.
  const removed = removedAtOnce(directory);
  try {
    const chunk = Buffer.allocUnsafe(COPY_CHUNK);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) writeSync(copy, chunk, 0, n);
    return new TemporaryFileSource(copy, removed ? undefined : directory);
  } catch (error) {
    closeSync(copy);
    if (!removed) rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}
