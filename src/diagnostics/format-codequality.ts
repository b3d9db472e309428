import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { FileReport, FormatOptions } from './report.js';
import { isFailure, relativeTo, span } from './report.js';

/** GitLab resolves paths against the checkout: $CI_PROJECT_DIR in a job, else the working directory. */
function projectRoot(env: NodeJS.ProcessEnv): string {
  return resolve(env.CI_PROJECT_DIR || process.cwd());
}

/**
 * GitLab Code Quality: the CodeClimate issue format, one JSON array of issues. A failure (an error, or any
 * finding under --strict) is "major", a warning "minor".
 *
 * The fingerprint is what GitLab compares between the merge request and its target branch, so it leaves the
 * line out: a finding moved by an edit above it is the same finding, not a fixed one and a new one. Findings
 * alike in file, rule and message are told apart by their order in the file.
 */
export function formatCodeQuality(reports: FileReport[], options: FormatOptions, env: NodeJS.ProcessEnv = process.env): string {
  const root = projectRoot(env);
  const seen = new Map<string, number>();
  const issues = reports.flatMap((r) =>
    r.diagnostics.map((d) => {
      const path = relativeTo(root, d.file) ?? d.file;
      const key = JSON.stringify([path, d.rule, d.message]);
      const nth = (seen.get(key) ?? 0) + 1;
      seen.set(key, nth);
      return {
        type: 'issue',
        check_name: `sev/${d.rule}`,
        description: d.message,
        categories: ['Bug Risk'],
        severity: isFailure(d, options.strict) ? 'major' : 'minor',
        fingerprint: createHash('sha256').update(`${key}#${nth}`).digest('hex'),
        location: { path, lines: { begin: d.line, end: span(d).endLine } },
      };
    }),
  );
  return JSON.stringify(issues, null, 2);
}
