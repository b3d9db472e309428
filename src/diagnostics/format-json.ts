import type { FileReport, FormatOptions } from './report.js';
import { totals } from './report.js';

/** Version of the JSON shape below; raised only when a field changes meaning or goes away. */
const JSON_FORMAT_VERSION = 1;

/**
 * Machine output, one stable shape: `files` lists every file checked (clean ones too), the counts follow,
 * and every finding has all eight fields. `endLine`/`endCol` end the range (endCol exclusive); a finding
 * without a range ends where it starts.
 */
export function formatJson(reports: FileReport[], options: FormatOptions): string {
  const { errors, warnings, failures } = totals(reports, options.strict);
  const diagnostics = reports.flatMap((r) =>
    r.diagnostics.map((d) => ({
      file: d.file,
      line: d.line,
      col: d.col,
      endLine: d.endLine ?? d.line,
      endCol: d.endCol ?? d.col,
      rule: d.rule,
      severity: d.severity,
      message: d.message,
    })),
  );
  return JSON.stringify(
    { version: JSON_FORMAT_VERSION, files: reports.map((r) => r.file), errors, warnings, failures, diagnostics },
    null,
    2,
  );
}
