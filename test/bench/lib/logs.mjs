// Realistic incident logs for the benchmarks, written straight to disk in 1 MiB pieces: mostly steps,
// checks and commands with some output, a few notes, the five milestones and some severity changes.
// Deterministic: the same parameters give the same bytes.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (random, n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (random) => `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;

const RUNBOOK = {
  id: 'server-failure',
  title: 'Server failure',
  version: '2.1.0',
  hash: 'ab'.repeat(32),
  file: 'runbooks/server-failure.yaml',
};

/**
 * Writes one responder's log of `events` events: the first is incident.started (`starter`) or
 * incident.joined; `k` shifts its clock a little so that logs interleave.
 */
export function writeLog(
  file,
  { incident, responder, events, seed, starter = true, k = 0, start = Date.parse('2026-11-26T20:00:00.000Z') },
) {
  const random = rng(seed);
  const fd = openSync(file, 'w');
  let buffer = '';
  let t = start + k * 1500;
  const milestones = ['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved'];
  for (let seq = 1; seq <= events; seq++) {
    t += Math.floor(random() * 60);
    let type;
    let data;
    const step = `step-${Math.floor(seq / 12)}`;
    if (seq === 1) {
      type = starter ? 'incident.started' : 'incident.joined';
      data = {
        runbook: RUNBOOK,
        severity: 'SEV2',
        responder,
        host: `wallet-ops-${k + 1}`,
        sevVersion: '0.1.0',
        ...(starter ? { dryRun: false } : {}),
      };
    } else if (starter && seq % Math.max(2, Math.floor(events / 6)) === 0 && milestones.length) {
      type = 'milestone';
      data = { milestone: milestones.shift(), step };
    } else if (starter && seq % 40_000 === 7) {
      type = 'severity.changed';
      data = { from: 'SEV2', to: random() < 0.5 ? 'SEV1' : 'SEV3', reason: 'reassessed', step };
    } else {
      const x = random();
      if (x < 0.3) {
        type = 'step.started';
        data = { step, index: seq % 40, kind: 'checks', title: 'Check the payment API and the ledger' };
      } else if (x < 0.6) {
        const ok = random() < 0.8;
        type = 'check.result';
        data = {
          exit: ok ? 0 : 1,
          durationMs: Math.floor(random() * 900),
          timedOut: false,
          stdout: ok ? 'HTTP/1.1 200 OK\n' : '',
          stderr: ok ? '' : 'curl: (7) Failed to connect to wallet-api port 8080\n',
          check: 'health',
          status: ok ? 'OK' : 'CRITICAL',
          reason: ok ? 'exit 0' : 'exit 1, expected 0',
          attempts: 1,
          step,
        };
      } else if (x < 0.75) {
        type = 'command.finished';
        data = {
          exit: 0,
          durationMs: Math.floor(random() * 5000),
          timedOut: false,
          stdout: 'deployment.apps/wallet-api restarted\n',
          stderr: '',
          step,
          ok: true,
        };
      } else if (x < 0.9) {
        type = 'step.completed';
        data = { step, result: 'done', next: `step-${Math.floor(seq / 12) + 1}` };
      } else {
        type = 'note';
        data = { text: `error rate ${Math.floor(random() * 100)}% on /v1/payments, p99 ${Math.floor(random() * 9000)} ms`, action: false };
      }
    }
    buffer += `${JSON.stringify({ v: 1, id: uuid(random), seq, time: new Date(t).toISOString(), incident, actor: responder, type, data })}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
}

/**
 * A directory of logs under test/bench/.logs/<name>, made once by `make(dir)` and reused while `params`
 * (anything JSON) stay the same.
 */
export function cachedDir(root, name, params, make, log) {
  const dir = join(root, name);
  const stamp = join(dir, 'params.json');
  const want = JSON.stringify(params);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    log?.(`reusing ${dir}`);
    return dir;
  }
  log?.(`generating ${dir}…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, '.gitignore'), '*\n');
  make(dir);
  writeFileSync(stamp, want);
  return dir;
}
