import { Chalk } from 'chalk';
import stringWidth from 'string-width';
import type { FileReport, FormatOptions } from './report.js';
import { isFailure, printable, totals } from './report.js';

/** Longest source line shown as an excerpt, and widest underline. */
const MAX_EXCERPT = 500;
const MAX_UNDERLINE = 80;

/** A source line as shown in an excerpt: tabs as one space (so columns stay one to one), controls made visible. */
const shown = (s: string) => printable(s.replace(/\t/g, ' '));

/** Human output: file:line:col, severity, message and rule, then the source line with a caret under the column. */
export function formatText(reports: FileReport[], options: FormatOptions): string {
  const c = new Chalk({ level: options.color ? 2 : 0 });
  const out: string[] = [];
  for (const report of reports) {
    for (const d of report.diagnostics) {
      // --quiet hides what does not fail the run; under --strict a warning fails, so it stays.
      if (options.quiet && !isFailure(d, options.strict)) continue;
      const label = d.severity === 'error' ? c.red.bold('error') : c.yellow.bold('warning');
      out.push(`${c.bold(printable(`${d.file}:${d.line}:${d.col}`))}: ${label}: ${printable(d.message)} ${c.dim(`[${d.rule}]`)}`);
      const source = report.lines?.[d.line - 1];
      if (source === undefined || source.trim() === '' || source.length > MAX_EXCERPT) continue;
      // Columns count UTF-16 code units; the caret goes under the display width of what comes before,
      // so it lines up under wide (CJK) characters and after zero-width ones.
      const start = Math.min(Math.max(0, d.col - 1), source.length);
      const before = shown(source.slice(0, start));
      const underlined = d.endLine === d.line && d.endCol && d.endCol > d.col ? stringWidth(shown(source.slice(start, d.endCol - 1))) : 1;
      const carets = '^'.repeat(Math.max(1, Math.min(underlined, MAX_UNDERLINE)));
      const paint = d.severity === 'error' ? c.red : c.yellow;
      out.push(`${c.dim(`${String(d.line).padStart(4)} |`)} ${shown(source)}`);
      out.push(`${c.dim(`${' '.repeat(4)} |`)} ${' '.repeat(stringWidth(before))}${paint(carets)}`);
    }
  }
  if (!options.quiet) {
    const t = totals(reports, options.strict);
    const files = `${t.files} file${t.files === 1 ? '' : 's'}`;
    if (t.errors + t.warnings === 0) out.push(c.green(`✓ ${files} checked, no problems`));
    else {
      const parts = [`${t.errors} error${t.errors === 1 ? '' : 's'}`, `${t.warnings} warning${t.warnings === 1 ? '' : 's'}`];
      const verdict = t.failures ? c.red('✗') : c.yellow('!');
      out.push(
        `${out.length ? '\n' : ''}${verdict} ${files} checked: ${parts.join(', ')}${options.strict && t.warnings ? ' (warnings fail under --strict)' : ''}`,
      );
    }
  }
  return out.join('\n');
}
