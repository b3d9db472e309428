import type { FileReport, FormatOptions } from './report.js';
import { isFailure } from './report.js';

/**
 * Characters XML 1.0 cannot carry at all, even as references: C0 controls other than tab, LF and CR,
 * unpaired surrogates, U+FFFE and U+FFFF. They become U+FFFD.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- these are the characters XML cannot carry
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for element content. A CR is written as a reference, or a parser would turn it into LF. */
function escapeText(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes text for a double-quoted attribute; tab, LF and CR as references, or parsers would turn them into spaces. */
function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/**
 * JUnit XML: one test suite per file, one test case per finding (or one passing case for a clean file).
 * A finding that fails the run (an error, or a warning under --strict) is a <failure>; a warning that does
 * not is a passing case with the warning in its <system-out>.
 */
export function formatJunit(reports: FileReport[], options: FormatOptions): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const report of reports) {
    const cases: string[] = [];
    const names = new Map<string, number>();
    let suiteFailures = 0;
    const file = escapeAttr(report.file);
    for (const d of report.diagnostics) {
      // Test case names are unique within a suite: reporting tools merge cases that share a name.
      let name = `${d.rule} at ${d.line}:${d.col}`;
      const n = (names.get(name) ?? 0) + 1;
      names.set(name, n);
      if (n > 1) name += ` (${n})`;
      const open = `    <testcase name="${escapeAttr(name)}" classname="${file}" file="${file}" line="${d.line}" time="0">`;
      const text = `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message} [${d.rule}]`;
      if (isFailure(d, options.strict)) {
        suiteFailures++;
        cases.push(
          `${open}\n      <failure message="${escapeAttr(d.message)}" type="${d.severity}">${escapeText(text)}</failure>\n    </testcase>`,
        );
      } else {
        cases.push(`${open}\n      <system-out>${escapeText(text)}</system-out>\n    </testcase>`);
      }
    }
    if (cases.length === 0) cases.push(`    <testcase name="valid" classname="${file}" file="${file}" time="0"/>`);
    tests += cases.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="${file}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="sev validate" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="0">\n${suites.join('\n')}\n</testsuites>`
  );
}
