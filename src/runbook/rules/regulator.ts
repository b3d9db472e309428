import { lintRulesFile, rulesFile } from '../../regulator/load.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';

export const regulatorFacts: Rule = {
  id: 'regulator-facts',
  severity: 'error',
  description: 'A regulator step feeds a fact its regulators file does not declare, or from an input the runbook does not define.',
  check({ runbook, facts, report }) {
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      if (!step.regulator) continue;
      const fed = Object.entries(step.regulator.facts);
      if (fed.length === 0) continue;
      // The rules beside the runbook (else the shipped ones): a file with problems is reported on its own.
      const file = rulesFile(runbook.file);
      const known = lintRulesFile(file).rules?.facts.map((f) => f.name);
      for (const [fact, input] of fed) {
        if (known && !known.includes(fact)) {
          const guess = closest(fact, known);
          report([...step.path, 'regulator', 'facts', fact], `${file} declares no fact "${fact}"${guess ? `: did you mean "${guess}"?` : ''} (facts: ${known.join(', ')})`, { part: 'key' });
        }
        if (!facts.inputNames.has(input)) {
          const guess = closest(input, facts.inputNames);
          report([...step.path, 'regulator', 'facts', fact], `fact "${fact}" is fed by input "${input}", which the runbook does not define${guess ? `: did you mean "${guess}"?` : ''}`);
        }
      }
    }
  },
};
