import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { findIncident } from '../incident/store.js';
import { fromLogRead, LineStore, readSource, type LogSource } from './source.js';
import { mergeSources, type Timeline } from './merge.js';

export interface LoadOptions {
  incidentDir: string;
  force?: boolean;
  /** Keep where ordinary events' lines are rather than the events (JSON output of big logs). */
  lean?: boolean;
}

/** A path as the user would write it: relative to the working directory when it is inside it. */
export function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

const looksLikeFile = (ref: string) => ref.endsWith('.jsonl') || ref.includes('/') || (existsSync(ref) && statSync(ref).isFile());

/**
 * The logs named on the command line: one incident id (every log of it in the incident directory) or
 * log files, read in the order given.
 */
export function loadSources(refs: string[], options: LoadOptions): LogSource[] {
  if (refs.length === 1 && !looksLikeFile(refs[0]!)) {
    const incident = findIncident(options.incidentDir, refs[0]!);
    return incident.logs.map((read, i) => {
      const source = fromLogRead(read, i);
      source.file = shown(source.file);
      return source;
    });
  }
  return refs.map((file, i) => {
    const source = readSource(file, i, { lean: options.lean });
    source.file = shown(file);
    return source;
  });
}

export function loadTimeline(refs: string[], options: LoadOptions): Timeline {
  const sources = loadSources(refs, options);
  const timeline = mergeSources(sources, { force: options.force });
  if (options.lean) timeline.lines = new LineStore(refs.length === sources.length ? refs : sources.map((s) => s.file));
  return timeline;
}
