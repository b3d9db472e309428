import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { locateIncident } from '../incident/store.js';
import { LineStore, readSource, type LogSource } from './rows.js';
import { mergeSources, type Timeline } from './merge.js';

interface LoadOptions {
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
 * The log files named on the command line: one incident id (every log of it in the incident directory,
 * chosen by file name) or log files, in the order given.
 */
function logFilesOf(refs: string[], incidentDir: string): string[] {
  if (refs.length === 1 && !looksLikeFile(refs[0]!)) return locateIncident(incidentDir, refs[0]!).files;
  return refs;
}

/** The logs named on the command line, each read by the same streaming reader, whichever way they were named. */
function loadSources(files: string[], options: LoadOptions): LogSource[] {
  return files.map((file, i) => {
    const source = readSource(file, i, { lean: options.lean });
    source.file = shown(file);
    return source;
  });
}

export function loadTimeline(refs: string[], options: LoadOptions): Timeline {
  const files = logFilesOf(refs, options.incidentDir);
  const sources = loadSources(files, options);
  const lines = options.lean ? new LineStore(files) : undefined;
  const timeline = mergeSources(sources, { force: options.force, lines });
  timeline.lines = lines;
  return timeline;
}
