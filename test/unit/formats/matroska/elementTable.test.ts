import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ElementId, MATROSKA_ELEMENTS } from '../../../../src/formats/matroska/elementTable';
import { matroskaSchema } from '../../../../src/formats/matroska/schema';
import { mayContain } from '../../../../src/formats/ebml/schema';

const repoRoot = join(import.meta.dirname, '../../../..');
const xml = join(repoRoot, '../shared/spec/ebml_matroska.xml');

test('the committed element table is what the generator makes from the specification', { skip: !existsSync(xml) && 'the specification XML is not next to the repository' }, () => {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts/generate-matroska-table.mjs'), '--check', xml], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('the table has the Matroska elements and the EBML header and global elements of RFC 8794', () => {
  const ids = new Set(MATROSKA_ELEMENTS.map((row) => row.id));
  assert.equal(ids.size, MATROSKA_ELEMENTS.length, 'one row per id');
  const byName = (name: string) => MATROSKA_ELEMENTS.find((row) => row.name === name);
  assert.deepEqual(
    [ElementId.EBML, ElementId.DocType, ElementId.DocTypeReadVersion, ElementId.Void, ElementId.CRC32, ElementId.Segment, ElementId.Cluster, ElementId.SimpleBlock],
    [0x1a45dfa3, 0x4282, 0x4285, 0xec, 0xbf, 0x18538067, 0x1f43b675, 0xa3],
  );
  assert.equal(byName('Segment')?.unknownSizeAllowed, true);
  assert.equal(byName('Cluster')?.unknownSizeAllowed, true);
  assert.equal(byName('Tracks')?.unknownSizeAllowed, undefined);
  assert.equal(byName('Void')?.global, true);
  assert.equal(byName('TimestampScale')?.default, 1_000_000);
  assert.equal(byName('SamplingFrequency')?.default, 8000, 'hexadecimal float default 0x1.f4p+12');
  assert.equal(byName('SimpleBlock')?.type, 'binary');
  assert.equal(byName('TagString')?.type, 'utf-8');
  assert.equal(byName('DateUTC')?.type, 'date');
  assert.equal(byName('SimpleTag')?.recursive, true);
});

test('schema ancestry decides which elements end an unknown-size master', () => {
  const spec = (id: number) => matroskaSchema().get(id);
  assert.equal(spec(ElementId.SimpleBlock)?.depth, 2);
  assert.equal(mayContain(spec(ElementId.Cluster), spec(ElementId.SimpleBlock)), true);
  assert.equal(mayContain(spec(ElementId.Cluster), spec(ElementId.Block)), true, 'a grandchild');
  assert.equal(mayContain(spec(ElementId.Cluster), spec(ElementId.Cluster)), false);
  assert.equal(mayContain(spec(ElementId.Cluster), spec(ElementId.Tags)), false);
  assert.equal(mayContain(spec(ElementId.Segment), spec(ElementId.EBML)), false);
  assert.equal(mayContain(spec(ElementId.Cluster), spec(ElementId.Void)), true, 'global');
  assert.equal(mayContain(spec(ElementId.SimpleTag), spec(ElementId.SimpleTag)), true, 'recursive');
  assert.equal(mayContain(spec(ElementId.Cluster), undefined), true, 'unknown ids stay inside');
  assert.ok(matroskaSchema().syncIds.has(ElementId.Cluster) && matroskaSchema().syncIds.has(ElementId.EBML) && !matroskaSchema().syncIds.has(ElementId.SimpleBlock));
});
