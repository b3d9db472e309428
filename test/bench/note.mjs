// `sev note` in a crowded incident directory: 60 other incidents of 20,000 events each (about 340 MB)
// beside the incident noted, against `sev note` with the incident alone. A note reads the first line of
// its incident's logs, chosen by file name: the others cost a directory listing, no more.
// The logs are generated once under test/bench/.logs/ (git-ignored) and reused while their parameters match.
import { join } from 'node:path';
import { peakRss } from './lib/measure.mjs';
import { cachedDir, writeLog } from './lib/logs.mjs';
import { BENCH, SEV, node } from './lib/paths.mjs';

const LOGS = join(BENCH, '.logs');
const OTHERS = 60;
const EVENTS = 20_000;
const INCIDENT = '20261126T210000Z-server-failure-note';

function target(dir) {
  writeLog(join(dir, `${INCIDENT}.alice.jsonl`), { incident: INCIDENT, responder: 'alice', events: 50, seed: 99 });
}

export default {
  name: 'note',
  description: `sev note with ${OTHERS} other incidents of ${EVENTS.toLocaleString('en')} events each in the directory against sev note alone`,
  defaults: { runs: 10, warmup: 2 },
  async prepare({ log }) {
    const alone = cachedDir(LOGS, 'note-alone', { v: 1 }, target, log);
    const crowded = cachedDir(
      LOGS,
      'note-crowded',
      { v: 1, OTHERS, EVENTS },
      (dir) => {
        target(dir);
        for (let i = 0; i < OTHERS; i++) {
          const id = `20261125T${String(i % 24).padStart(2, '0')}${String(i).padStart(2, '0')}00Z-network-o${String(i).padStart(3, '0')}`;
          writeLog(join(dir, `${id}.bob.jsonl`), { incident: id, responder: 'bob', events: EVENTS, seed: 100 + i });
        }
      },
      log,
    );
    const note = (dir) => [SEV, 'note', INCIDENT, 'error rate back under 1%', '--as', 'alice', '--incident-dir', dir];
    const contenders = [
      { id: 'alone', label: 'sev note, the incident alone', command: node, args: note(alone), env: { NO_COLOR: '1' } },
      { id: 'crowded', label: `sev note, ${OTHERS} other incidents beside it`, command: node, args: note(crowded), env: { NO_COLOR: '1' } },
    ];
    const memory = Object.fromEntries(contenders.map((c) => [c.id, peakRss(c).mib]));
    log(`peak memory: alone ${memory.alone ?? '?'} MiB, crowded ${memory.crowded ?? '?'} MiB`);
    return {
      contenders,
      baseline: 'alone',
      targets: [{ id: 'crowded', max: 1.2 }],
      info: { others: OTHERS, eventsEach: EVENTS, peakMemoryMiB: memory },
    };
  },
};
