import type { FileReport, FormatOptions } from './report.js';
import { isFailure, relativeTo, reportRoot, span, totals } from './report.js';

// Escaping as GitHub's own toolkit does it (@actions/core, command.ts): %, CR and LF in the message;
// also : and , in property values, which would otherwise end the value.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions annotations: one ::error or ::warning workflow command per finding.
 *
 * Paths are made relative to the checkout ($GITHUB_WORKSPACE, else the working directory), which is what
 * GitHub resolves them against. Columns are sent only for a range on one line, as the runner drops them
 * otherwise; endColumn is the last column of the range (inclusive), as in @actions/core.
 */
export function formatGithub(reports: FileReport[], options: FormatOptions): string {
  const root = reportRoot();
  const lines = reports.flatMap((r) =>
    r.diagnostics.map((d) => {
      const level = isFailure(d, options.strict) ? 'error' : 'warning';
      const s = span(d);
      const oneLine = s.endLine === s.line;
      const props: [string, string | number][] = [
        ['file', relativeTo(root, d.file) ?? d.file],
        ['line', s.line],
      ];
      if (oneLine) props.push(['col', s.col]);
      props.push(['endLine', s.endLine]);
      if (oneLine && s.endCol !== undefined && s.endCol - 1 >= s.col) props.push(['endColumn', s.endCol - 1]);
      props.push(['title', `sev ${d.rule}`]);
      return `::${level} ${props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',')}::${escapeData(d.message)}`;
    }),
  );
  const t = totals(reports, options.strict);
  lines.push(
    `sev validate: ${t.files} file${t.files === 1 ? '' : 's'}, ` +
      `${t.errors} error${t.errors === 1 ? '' : 's'}, ${t.warnings} warning${t.warnings === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}
