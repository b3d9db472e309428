import { lintRulesFile, rulesFile } from '../../regulator/rules-file.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';

export const regulatorFacts: Rule = {
  id: 'regulator-facts',
  severity: 'error',
  description:
    'A regulator step feeds a fact its regulators file does not declare, or from an input the runbook does not define, or its regulators file has errors.',
  check({ runbook, facts, report }) {
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      if (!step.regulator) continue;
      // The rules beside the runbook (else the shipped ones); their own findings are reported on that file.
      const file = rulesFile(runbook.file);
      const rules = lintRulesFile(file);
      const errors = rules.diagnostics.filter((d) => d.severity === 'error').length;
      if (errors)
        report(
          [...step.path, 'regulator'],
          `the regulators file ${file} has ${errors} error${errors === 1 ? '' : 's'}: sev run would stop at this step (sev validate ${file})`,
          { part: 'key' },
        );
      const fed = Object.entries(step.regulator.facts);
      const known = errors ? undefined : rules.rules?.facts.map((f) => f.name);
      for (const [fact, input] of fed) {
        if (known && !known.includes(fact)) {
          const guess = closest(fact, known);
          report(
            [...step.path, 'regulator', 'facts', fact],
            `${file} declares no fact "${fact}"${guess ? `: did you mean "${guess}"?` : ''} (facts: ${known.join(', ')})`,
            { part: 'key' },
          );
        }
        if (!facts.inputNames.has(input)) {
          const guess = closest(input, facts.inputNames);
          report(
            [...step.path, 'regulator', 'facts', fact],
            `fact "${fact}" is fed by input "${input}", which the runbook does not define${guess ? `: did you mean "${guess}"?` : ''}`,
          );
        }
      }
    }
  },
};
