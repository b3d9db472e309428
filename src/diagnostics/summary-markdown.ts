import type { FileReport, FormatOptions } from './report.js';
import { isFailure, relativeTo, reportRoot, totals } from './report.js';
import { mdText } from '../report/sanitize.js';

/** GitHub caps a step's summary at 1 MiB; a few hundred rows say all a reviewer reads. */
const MAX_ROWS = 200;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The Markdown job summary of a GitHub Actions run ($GITHUB_STEP_SUMMARY): the counts, then one table row per
 * finding. The annotations mark the lines; this is the overview on the run's page.
 */
export function summaryMarkdown(reports: FileReport[], options: Pick<FormatOptions, 'strict'>): string {
  const t = totals(reports, options.strict);
  const verdict = t.failures > 0 ? '❌' : '✅';
  const lines = [
    `## ${verdict} sev validate`,
    '',
    `${plural(t.files, 'file')} checked: ${plural(t.errors, 'error')}, ${plural(t.warnings, 'warning')}${options.strict ? ' (--strict: warnings fail)' : ''}.`,
    '',
  ];
  const findings = reports.flatMap((r) => r.diagnostics);
  if (findings.length) {
    const root = reportRoot();
    lines.push('| Severity | File | Line | Rule | Message |', '| --- | --- | ---: | --- | --- |');
    for (const d of findings.slice(0, MAX_ROWS)) {
      const level = isFailure(d, options.strict) ? 'error' : 'warning';
      lines.push(
        `| ${level} | \`${mdText(relativeTo(root, d.file) ?? d.file).replace(/`/g, "'")}\` | ${d.line}:${d.col} | ${mdText(d.rule)} | ${mdText(d.message)} |`,
      );
    }
    if (findings.length > MAX_ROWS) lines.push('', `…and ${findings.length - MAX_ROWS} more: see the annotations or run sev validate.`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
