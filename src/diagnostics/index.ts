import { formatGithub } from './format-github.js';
import { formatJson } from './format-json.js';
import { formatJunit } from './format-junit.js';
import { formatSarif } from './format-sarif.js';
import { formatText } from './format-text.js';
import type { FileReport, FormatOptions } from './report.js';

export type Format = 'text' | 'json' | 'github' | 'sarif' | 'junit';
export { totals, type FileReport } from './report.js';

export function formatDiagnostics(format: Format, reports: FileReport[], options: FormatOptions & { version: string }): string {
  switch (format) {
    case 'json':
      return formatJson(reports, options);
    case 'github':
      return formatGithub(reports, options);
    case 'sarif':
      return formatSarif(reports, options);
    case 'junit':
      return formatJunit(reports, options);
    case 'text':
      return formatText(reports, options);
  }
}
