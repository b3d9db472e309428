import type { FileReport, FormatOptions } from './report.js';
import { totals } from './report.js';

/** Machine output: every finding with its file, position, rule and severity, plus totals. */
export function formatJson(reports: FileReport[], options: FormatOptions): string {
  const diagnostics = reports.flatMap((r) => r.diagnostics);
  return JSON.stringify({ version: 1, ...totals(reports, options.strict), files: reports.map((r) => r.file), diagnostics }, null, 2);
}
