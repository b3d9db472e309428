import { relative, sep } from 'node:path';
import { ALL_RULES } from '../runbook/rules/index.js';
import type { FileReport, FormatOptions } from './report.js';

/** A path relative to the working directory with forward slashes, as code scanning expects. */
function uri(file: string): string {
  const rel = relative(process.cwd(), file) || file;
  return rel.split(sep).join('/').split('/').map(encodeURIComponent).join('/');
}

/** SARIF 2.1.0, the format GitHub code scanning and other tools import. */
export function formatSarif(reports: FileReport[], options: FormatOptions & { version: string }): string {
  const ruleIndex = new Map(ALL_RULES.map((r, i) => [r.id, i]));
  const results = reports.flatMap((r) =>
    r.diagnostics.map((d) => ({
      ruleId: d.rule,
      ruleIndex: ruleIndex.get(d.rule),
      level: d.severity === 'error' || options.strict ? 'error' : 'warning',
      message: { text: d.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: uri(d.file), uriBaseId: '%SRCROOT%' },
            region: {
              startLine: d.line,
              startColumn: d.col,
              ...(d.endLine ? { endLine: d.endLine } : {}),
              ...(d.endCol ? { endColumn: d.endCol } : {}),
            },
          },
        },
      ],
    })),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sevkit',
            semanticVersion: options.version,
            version: options.version,
            rules: ALL_RULES.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase()),
              shortDescription: { text: r.description },
              fullDescription: { text: r.description },
              defaultConfiguration: { level: r.severity },
              properties: { tags: ['runbook'] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${process.cwd().split(sep).join('/')}/` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
