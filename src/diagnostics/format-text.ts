import { Chalk } from 'chalk';
import stringWidth from 'string-width';
import type { FileReport, FormatOptions } from './report.js';
import { totals } from './report.js';

/** Human output: file:line:col, severity, message and rule, then the source line with a caret under the column. */
export function formatText(reports: FileReport[], options: FormatOptions): string {
  const c = new Chalk({ level: options.color ? 2 : 0 });
  const out: string[] = [];
  for (const report of reports) {
    for (const d of report.diagnostics) {
      if (options.quiet && d.severity === 'warning') continue;
      const label = d.severity === 'error' ? c.red.bold('error') : c.yellow.bold('warning');
      out.push(`${c.bold(`${d.file}:${d.line}:${d.col}`)}: ${label}: ${d.message} ${c.dim(`[${d.rule}]`)}`);
      const source = report.lines?.[d.line - 1];
      if (source !== undefined && source.trim() !== '' && source.length <= 500) {
        const gutter = String(d.line).padStart(4);
        const before = source.slice(0, Math.max(0, d.col - 1)).replace(/\t/g, ' ');
        const width = d.endLine === d.line && d.endCol && d.endCol > d.col ? stringWidth(source.slice(d.col - 1, d.endCol - 1)) : 1;
        out.push(`${c.dim(`${gutter} |`)} ${source.replace(/\t/g, ' ')}`);
        out.push(`${c.dim(`${' '.repeat(4)} |`)} ${' '.repeat(stringWidth(before))}${(d.severity === 'error' ? c.red : c.yellow)('^'.repeat(Math.max(1, Math.min(width, 80))))}`);
      }
    }
  }
  if (!options.quiet) {
    const t = totals(reports, options.strict);
    const files = `${t.files} file${t.files === 1 ? '' : 's'}`;
    if (t.errors + t.warnings === 0) out.push(c.green(`✓ ${files} checked, no problems`));
    else {
      const parts = [`${t.errors} error${t.errors === 1 ? '' : 's'}`, `${t.warnings} warning${t.warnings === 1 ? '' : 's'}`];
      const verdict = t.failures ? c.red('✗') : c.yellow('!');
      out.push(`${out.length ? '\n' : ''}${verdict} ${files} checked: ${parts.join(', ')}${options.strict && t.warnings ? ' (warnings fail under --strict)' : ''}`);
    }
  }
  return out.join('\n');
}
