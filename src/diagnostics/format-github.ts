import type { FileReport, FormatOptions } from './report.js';
import { totals } from './report.js';

// Workflow commands need %, CR and LF escaped in the message, and also : and , in properties.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions annotations: one ::error or ::warning workflow command per finding. */
export function formatGithub(reports: FileReport[], options: FormatOptions): string {
  const lines = reports.flatMap((r) =>
    r.diagnostics.map((d) => {
      const level = d.severity === 'error' || options.strict ? 'error' : 'warning';
      const props = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.col}`];
      if (d.endLine) props.push(`endLine=${d.endLine}`);
      if (d.endCol && d.endLine === d.line) props.push(`endColumn=${d.endCol}`);
      props.push(`title=${escapeProperty(`sev ${d.rule}`)}`);
      return `::${level} ${props.join(',')}::${escapeData(d.message)}`;
    }),
  );
  const t = totals(reports, options.strict);
  lines.push(`sev validate: ${t.files} files, ${t.errors} errors, ${t.warnings} warnings`);
  return lines.join('\n');
}
