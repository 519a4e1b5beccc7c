// kvs-put as a user runs it, against KVS Local on a free port: DescribeStream/CreateStream,
// GetDataEndpoint, PutMedia over real HTTP; the acknowledgements it prints and its exit status.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clusterElement, concatBytes } from '../../../src/formats/matroska/write';
import { loadDemoClip } from '../../../src/local/demo/demoClip';
import { startLocalService, type LocalService } from '../kvs/putMedia/localService';

let local: LocalService;
let home: string;

before(async () => {
  local = await startLocalService();
  home = await mkdtemp(join(tmpdir(), 'kvs-put-home-'));
});
after(async () => {
  await local.close();
  await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs src/cli/kvs-put.ts (through tsx) with no AWS configuration but what `env` gives. */
function kvsPut(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/kvs-put.ts', ...args],
      { env: { ...clean, HOME: home, USERPROFILE: home, AWS_EC2_METADATA_DISABLED: 'true', ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      },
    );
  });
}

const persistedLines = (stdout: string): string[] => stdout.split('\n').filter((line) => line.startsWith('PERSISTED '));

test('an MKV into a new stream (--create): every cluster PERSISTED, exit 0', async () => {
  const run = await kvsPut(['test/fixtures/media/h264-aac.mkv', '--stream', 's', '--create', '--endpoint', local.url]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Created stream s \(24 h retention\)$/m);
  const persisted = persistedLines(run.stdout);
  assert.equal(persisted.length, 2, run.stdout);
  assert.match(persisted[0] ?? '', /^PERSISTED fragment \d{47} timecode 0$/);
  assert.match(persisted[1] ?? '', /^PERSISTED fragment \d{47} timecode 1002$/);
  assert.match(run.stdout, /^2 of 2 fragments persisted, 0 errors; 61560 bytes in [\d.]+ s$/m);
  assert.equal(run.stderr, '');
  assert.equal((await local.listFragments('s')).length, 2);
});

test('an MP4 is remuxed to MKV on the way: every cluster PERSISTED, exit 0', async () => {
  const run = await kvsPut(['test/fixtures/media/h264-aac.mp4', '--stream', 's', '--endpoint', local.url]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /MP4 remuxed to MKV, 2 fragments/);
  assert.equal(persistedLines(run.stdout).length, 2, run.stdout);
  assert.doesNotMatch(run.stdout, /^Created stream/m);
  assert.equal((await local.listFragments('s')).length, 4);
});

test('an unknown stream without --create: one clear line, exit 1', async () => {
  const run = await kvsPut(['test/fixtures/media/h264-aac.mkv', '--stream', 'missing', '--endpoint', local.url]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, 'kvs-put: stream "missing" does not exist; pass --create to create it\n');
  assert.equal(run.stdout, '');
});

test('--realtime paces the clusters: a 2 s file takes about 2 s', async () => {
  const run = await kvsPut(['test/fixtures/media/h264-aac.mkv', '--stream', 's', '--realtime', '--endpoint', local.url]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(persistedLines(run.stdout).length, 2);
  const seconds = Number(/bytes in ([\d.]+) s$/m.exec(run.stdout)?.[1]);
  assert.ok(seconds >= 1.5 && seconds < 5, `upload took ${seconds} s`);
  assert.ok(run.ms >= 1500);
});

test('ERROR acknowledgements are printed and make the exit status 1', async () => {
  // The fixture's two clusters, written with the second one's timecode before the first's.
  const clip = loadDemoClip('test/fixtures/media/h264-aac.mkv');
  const [first, second] = clip.clusters;
  assert.ok(first && second);
  const file = join(home, 'backwards.mkv');
  await writeFile(file, concatBytes([clip.header, clusterElement(1000, first.blocks), clusterElement(500, second.blocks)]));
  const run = await kvsPut([file, '--stream', 's', '--endpoint', local.url]);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^PERSISTED fragment \d{47} timecode 1000$/m);
  assert.match(run.stdout, /^ERROR 4004 FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS at timecode 500$/m);
  assert.match(run.stdout, /^1 of 2 fragments persisted, 1 error; /m);
});

test('wrong keys: PutMedia never starts, the error is one line and names no secret', async () => {
  const secret = 'not-the-kvs-local-secret-1234567890';
  const run = await kvsPut(['test/fixtures/media/h264-aac.mkv', '--stream', 's', '--endpoint', local.url], { AWS_ACCESS_KEY_ID: 'AKIDKVSLOCAL00000000', AWS_SECRET_ACCESS_KEY: secret });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^kvs-put: DescribeStream failed: InvalidSignatureException: .+\n$/);
  assert.doesNotMatch(run.stderr + run.stdout, new RegExp(secret));
});

test('usage errors and unreadable files: exit 1 with one line', async () => {
  const noStream = await kvsPut(['test/fixtures/media/h264-aac.mkv', '--endpoint', local.url]);
  assert.equal(noStream.code, 1);
  assert.match(noStream.stderr, /^kvs-put: --stream NAME is required\n\nUsage: kvs-put /);

  const missing = await kvsPut([join(home, 'nothing.mkv'), '--stream', 's', '--endpoint', local.url]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^kvs-put: cannot read .*nothing\.mkv: ENOENT\n$/);

  const text = join(home, 'notes.txt');
  await writeFile(text, 'not media at all');
  const notMedia = await kvsPut([text, '--stream', 's', '--endpoint', local.url]);
  assert.equal(notMedia.code, 1);
  assert.match(notMedia.stderr, /^kvs-put: cannot read .*notes\.txt: not an MKV or MP4 file\n$/);
});
