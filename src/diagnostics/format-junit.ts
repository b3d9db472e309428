import type { FileReport, FormatOptions } from './report.js';

const escapeXml = (s: string) =>
  s
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** JUnit XML: one test suite per file, one test case per finding (or one passing case for a clean file). */
export function formatJunit(reports: FileReport[], options: FormatOptions): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const report of reports) {
    const cases: string[] = [];
    let suiteFailures = 0;
    for (const d of report.diagnostics) {
      const name = escapeXml(`${d.rule} at ${d.line}:${d.col}`);
      const where = escapeXml(`${d.file}:${d.line}:${d.col}`);
      if (d.severity === 'error' || options.strict) {
        suiteFailures++;
        cases.push(
          `    <testcase name="${name}" classname="${escapeXml(report.file)}">\n` +
            `      <failure message="${escapeXml(d.message)}" type="${d.severity}">${where}: ${escapeXml(d.message)} [${d.rule}]</failure>\n` +
            `    </testcase>`,
        );
      } else {
        cases.push(
          `    <testcase name="${name}" classname="${escapeXml(report.file)}">\n` +
            `      <system-out>${where}: warning: ${escapeXml(d.message)} [${d.rule}]</system-out>\n` +
            `    </testcase>`,
        );
      }
    }
    if (cases.length === 0) cases.push(`    <testcase name="valid" classname="${escapeXml(report.file)}"/>`);
    tests += cases.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="${escapeXml(report.file)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="sev validate" tests="${tests}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>`
  );
}
