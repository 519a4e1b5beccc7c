// Child process of crash.test.ts: appends fragments to the store in argv[2] in a loop and prints
// "<fragment number> <seed>" on stdout after each append() has returned (= acknowledged PERSISTED),
// until it is killed.
//
//   node --import tsx test/unit/local/storage/crashChild.ts DIR FIRST_SEED
import { writeSync } from 'node:fs';
import { FragmentStore } from '../../../../src/local/storage/fragmentStore';
import { headerFor, metaFor } from './helpers';
import { CRASH_SEGMENT_BYTES, crashCluster } from './crashShared';

const [dir, firstSeedText] = process.argv.slice(2);
if (dir === undefined || firstSeedText === undefined) {
  process.stderr.write('usage: crashChild.ts DIR FIRST_SEED\n');
  process.exit(2);
}
const store = FragmentStore.open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
writeSync(1, `ready ${store.count}\n`);
for (let seed = Number(firstSeedText); ; seed++) {
  const record = store.append(headerFor(seed % 2), crashCluster(seed), metaFor(seed));
  writeSync(1, `${record.fragmentNumber} ${seed}\n`);
}
