import type { FileReport, FormatOptions } from './report.js';

export type Format = 'text' | 'json' | 'github' | 'sarif' | 'junit' | 'codequality';
export { totals, type FileReport } from './report.js';

/** Renders the reports in one format; only that format's module is loaded (the text one pulls in chalk and string-width). */
export async function formatDiagnostics(
  format: Format,
  reports: FileReport[],
  options: FormatOptions & { version: string },
): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('./format-json.js')).formatJson(reports, options);
    case 'github':
      return (await import('./format-github.js')).formatGithub(reports, options);
    case 'sarif':
      return (await import('./format-sarif.js')).formatSarif(reports, options);
    case 'junit':
      return (await import('./format-junit.js')).formatJunit(reports, options);
    case 'codequality':
      return (await import('./format-codequality.js')).formatCodeQuality(reports, options);
    case 'text':
      return (await import('./format-text.js')).formatText(reports, options);
  }
}
