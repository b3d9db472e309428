import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALL_RULES } from '../runbook/rules/index.js';
import type { Diagnostic } from '../runbook/diagnostic.js';
import type { FileReport, FormatOptions } from './report.js';
import { isFailure, relativeTo, reportRoot, span } from './report.js';

const SRCROOT = '%SRCROOT%';

interface RuleInfo {
  id: string;
  severity: 'error' | 'warning';
  description: string;
}

/**
 * Where a file is, as code scanning wants it: a URI relative to the repository root (the checkout in
 * GitHub Actions, else the working directory), or an absolute file: URI for a file outside it.
 */
function artifactLocation(root: string, file: string): { uri: string; uriBaseId?: string } {
  const rel = relativeTo(root, file);
  if (rel === undefined) return { uri: pathToFileURL(resolve(file)).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function rootUri(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function ruleDescriptor(rule: RuleInfo) {
  const suppress = `To accept a finding on purpose, end its line with \`# sev-disable-line ${rule.id}\`, or put that comment alone on the line before.`;
  return {
    id: rule.id,
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    help: {
      text: `${rule.description}\n\n${suppress.replace(/`/g, '')}`,
      markdown: `${rule.description}\n\n${suppress}`,
    },
    defaultConfiguration: { level: rule.severity },
    properties: { tags: ['runbook'] },
  };
}

/**
 * A fingerprint that survives unrelated edits: the rule, the file and the text of the finding's line with its
 * spacing normalised (not the line number), plus which occurrence of that triple it is in the file.
 */
function fingerprinter() {
  const seen = new Map<string, number>();
  return (d: Diagnostic, uri: string, lineText: string): string => {
    const hash = createHash('sha256')
      .update(`${d.rule}\0${uri}\0${lineText.trim().replace(/\s+/g, ' ')}`)
      .digest('hex')
      .slice(0, 32);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}:${n}`;
  };
}

/** SARIF 2.1.0, the format GitHub code scanning and other tools import. */
export function formatSarif(reports: FileReport[], options: FormatOptions & { version: string }): string {
  const root = reportRoot();
  const rules: RuleInfo[] = [...ALL_RULES];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const fingerprint = fingerprinter();

  const results = reports.flatMap((report) =>
    report.diagnostics.map((d) => {
      let index = ruleIndex.get(d.rule);
      if (index === undefined) {
        // Every result's rule is described, even one the catalogue does not list.
        index = rules.push({ id: d.rule, severity: d.severity, description: d.rule }) - 1;
        ruleIndex.set(d.rule, index);
      }
      const location = artifactLocation(root, d.file);
      const s = span(d);
      return {
        ruleId: d.rule,
        ruleIndex: index,
        level: isFailure(d, options.strict) ? 'error' : 'warning',
        message: { text: d.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: location,
              region: {
                startLine: s.line,
                startColumn: s.col,
                endLine: s.endLine,
                ...(s.endCol !== undefined ? { endColumn: s.endCol } : {}),
              },
            },
          },
        ],
        partialFingerprints: { primaryLocationLineHash: fingerprint(d, location.uri, report.lines?.[d.line - 1] ?? '') },
      };
    }),
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
            rules: rules.map(ruleDescriptor),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri(root) } },
        // Our columns count UTF-16 code units, as JavaScript strings do.
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
