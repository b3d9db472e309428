import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadAnswers } from '../src/engine/answers.js';
import type { EventSink } from '../src/engine/walk.js';
import type { IncidentEvent } from '../src/incident/events.js';
import { lintBytes } from '../src/lint/files.js';
import type { Runbook } from '../src/runbook/model.js';

/** What the tests that drive a Walk through the module API share: a runbook from text, a log in memory, answers. */

export function runbookFrom(yaml: string): Runbook {
  const result = lintBytes('test.yaml', Buffer.from(yaml));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  return result.runbook!;
}

export const HEAD = `format: sevkit/v1
id: t
title: Test
class: server-failure
severity: SEV3
`;

/** An in-memory log, numbered like the real one, its events stamped by `now` (the real clock unless given). */
export function memoryLog(now: () => Date = () => new Date()) {
  const events: IncidentEvent[] = [];
  const sink: EventSink = (type, data) => {
    const event = {
      v: 1,
      id: String(events.length + 1),
      seq: events.length + 1,
      time: now().toISOString(),
      incident: 'INC-1',
      actor: 'tester',
      type,
      data,
    };
    events.push(event);
    return event;
  };
  sink('incident.started', {
    runbook: { id: 't', title: 'Test', hash: 'h', file: 'test.yaml' },
    severity: 'SEV3',
    responder: 'tester',
    dryRun: false,
    host: 'h',
    sevVersion: '0',
  });
  return {
    events,
    sink,
    types: () => events.map((e) => e.type),
    of: (type: string) => events.filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>),
  };
}

export function answersFile(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sev-answers-'));
  const file = join(dir, 'answers.yaml');
  writeFileSync(file, yaml);
  return loadAnswers(file);
}

export const quiet = () => new Writable({ write: (_c, _e, done) => done() });
