// Checks run side by side, and a hanging check is gone with its children soon after its timeout.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/paths.mjs';
import { stats } from './lib/measure.mjs';

const check = (name, run, timeout = '30s') => ({
  name,
  run,
  env: {},
  timeout,
  retries: 0,
  interval: '1s',
  expect: { exit: [0] },
  nagios: false,
  failure: 'critical',
  path: [],
});
const runOf = { env: () => ({}), mask: (t) => t };

/** Processes of a process group that are still running (a zombie has finished). */
function liveInGroup(pgid) {
  let live = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') live++;
    } catch {
      // The process ended while we looked.
    }
  }
  return live;
}

export default {
  name: 'checks',
  description: 'a step of 20 checks that each sleep 1 s against one such check; a hanging check with children against its timeout',
  defaults: { runs: 5, warmup: 1 },
  async measure({ runs, warmup, log }) {
    const { runChecks } = await import(pathToFileURL(join(ROOT, 'dist/engine/checks.js')).href);
    const one = [];
    const twenty = [];
    for (let i = 0; i < warmup + runs; i++) {
      let t = performance.now();
      await runChecks([check('one', 'sleep 1')], runOf);
      const a = performance.now() - t;
      t = performance.now();
      const results = await runChecks(
        Array.from({ length: 20 }, (_, k) => check(`c${k}`, 'sleep 1')),
        runOf,
      );
      const b = performance.now() - t;
      if (results.some((r) => r.status !== 'OK')) throw new Error('a sleep check failed');
      if (i >= warmup) {
        one.push(a);
        twenty.push(b);
      }
    }

    // A check that starts two children and waits for ever; timeout 1 s. Gone means no live process in its group.
    const gone = [];
    const { runProcess } = await import(pathToFileURL(join(ROOT, 'dist/engine/process.js')).href);
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const pidFile = `/tmp/sev-bench-hang-${process.pid}-${i}`;
      const result = runProcess({ run: `echo $$ > ${pidFile}; sleep 300 & sleep 300 & wait`, env: {}, timeoutMs: 1000 });
      let pgid;
      while (!pgid) {
        await new Promise((r) => setTimeout(r, 10));
        try {
          pgid = Number(readFileSync(pidFile, 'utf8'));
        } catch {
          // Not written yet.
        }
      }
      await result;
      while (liveInGroup(pgid) > 0) await new Promise((r) => setTimeout(r, 10));
      gone.push(performance.now() - t);
    }
    log(`hanging check: its group was gone ${gone.map((g) => `${Math.round(g)} ms`).join(', ')} after it started`);

    const s1 = stats(one);
    const s20 = stats(twenty);
    const sg = stats(gone);
    return {
      unit: 'per step',
      rows: [
        { label: '1 check, sleep 1 (baseline)', stats: s1 },
        { label: '20 checks, sleep 1 each', stats: s20, ratio: s20.median / s1.median },
        { label: 'hanging check, timeout 1 s: until its group is gone', stats: sg, ratio: sg.median / 1000 },
      ],
      targets: [
        { label: '20 checks of 1 s', value: s20.max, max: 1500, unit: 'ms (slowest run)' },
        { label: 'hanging check gone', value: sg.max, max: 2000, unit: 'ms (slowest run; timeout + 1 s)' },
      ],
      info: {},
    };
  },
};
