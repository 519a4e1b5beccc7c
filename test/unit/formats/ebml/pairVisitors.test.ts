import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { bytesSource } from '../../../../src/formats/byteSource';
import { pairVisitors } from '../../../../src/formats/ebml/pairVisitors';
import { readTree, type EbmlNode } from '../../../../src/formats/ebml/tree';
import { walkEbml, type EbmlElement, type EbmlVisitor } from '../../../../src/formats/ebml/walker';
import { ElementId as Id } from '../../../../src/formats/matroska/elementTable';
import { readMatroska } from '../../../../src/formats/matroska/readMatroska';
import { matroskaSchema } from '../../../../src/formats/matroska/schema';
import { blockData, concat, element, filled, stringElement, uintElement, unknownSizeElement } from './ebmlBytes';

const MEDIA = 'test/fixtures/media';

/** A visitor that logs what it is shown and declines the children of masters named in `skip`. */
function logger(skip: readonly string[]): EbmlVisitor & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    enter(element: EbmlElement) {
      log.push(`+${element.name}`);
      return skip.includes(element.name) ? false : undefined;
    },
    leave(element: EbmlElement) {
      log.push(`-${element.name}`);
    },
  };
}

test('each visitor of a pair sees the walk it would see alone', () => {
  const simpleBlock = (rel: number): Uint8Array => element(Id.SimpleBlock, blockData(1, rel, 0x80, filled(20)));
  const tags = element(Id.Tags, element(Id.Tag, element(Id.SimpleTag, stringElement(Id.TagName, 'A'), stringElement(Id.TagString, 'B'))));
  const segment = unknownSizeElement(
    Id.Segment,
    8,
    element(Id.Info, uintElement(Id.TimestampScale, 1_000_000)),
    unknownSizeElement(Id.Cluster, 1, uintElement(Id.Timestamp, 0), simpleBlock(0), simpleBlock(40)),
    element(Id.Cluster, uintElement(Id.Timestamp, 80), simpleBlock(0)),
    tags,
  );
  const bytes = concat(element(Id.EBML, stringElement(Id.DocType, 'matroska')), segment);
  for (const [skipFirst, skipSecond] of [[['Cluster'], ['Tags']], [['Segment'], []], [[], ['Cluster', 'Tag']], [['Cluster'], ['Cluster']]] as const) {
    const aloneFirst = logger(skipFirst);
    const aloneSecond = logger(skipSecond);
    walkEbml(bytesSource(bytes), matroskaSchema(), aloneFirst);
    walkEbml(bytesSource(bytes), matroskaSchema(), aloneSecond);
    const first = logger(skipFirst);
    const second = logger(skipSecond);
    walkEbml(bytesSource(bytes), matroskaSchema(), pairVisitors(first, second));
    assert.deepEqual(first.log, aloneFirst.log, `first, skipping ${skipFirst.join()}`);
    assert.deepEqual(second.log, aloneSecond.log, `second, skipping ${skipSecond.join()}`);
  }
});

function shape(nodes: readonly EbmlNode[] | undefined): unknown[] {
  return (nodes ?? []).map((n) => [n.id, n.level, n.offset, n.headerSize, n.dataSize, n.end, n.value, n.children ? shape(n.children) : null]);
}

test('readMatroska with `tree` gives the tree readTree gives, and the same model as without it', () => {
  const notClusters = { expand: (e: EbmlElement) => e.id !== Id.Cluster };
  for (const name of readdirSync(MEDIA).filter((n) => n.endsWith('.mkv') || n.endsWith('.webm'))) {
    const source = bytesSource(new Uint8Array(readFileSync(`${MEDIA}/${name}`)));
    for (const options of [{}, notClusters]) {
      const file = readMatroska(source, { blocks: true, tree: options });
      assert.deepEqual(shape(file.tree), shape(readTree(source, matroskaSchema(), options).nodes), name);
      const { tree: _tree, ...model } = file;
      assert.deepEqual(model, readMatroska(source, { blocks: true }), name);
    }
  }
});
