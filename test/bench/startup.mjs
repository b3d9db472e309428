// Start-up: how long `sev` takes to do almost nothing, against bare Node doing nothing at all.
import { join } from 'node:path';
import { ROOT, SEV, node } from './lib/paths.mjs';

export default {
  name: 'startup',
  description: 'sev --version against node -e 0 (plus --help and validating one small file, for context)',
  defaults: { runs: 40, warmup: 3 },
  prepare() {
    const fixture = join(ROOT, 'test/fixtures/minimal.yaml');
    const env = { NO_COLOR: '1', FORCE_COLOR: '', GITHUB_ACTIONS: '' };
    return {
      baseline: 'node',
      contenders: [
        { id: 'node', label: 'node -e 0', command: node, args: ['-e', '0'] },
        { id: 'version', label: 'sev --version', command: node, args: [SEV, '--version'], env },
        { id: 'help', label: 'sev --help', command: node, args: [SEV, '--help'], env },
        { id: 'validate-one', label: 'sev validate minimal.yaml', command: node, args: [SEV, 'validate', fixture], env },
      ],
      targets: [{ id: 'version', max: 1.5 }],
      info: { fixture: 'test/fixtures/minimal.yaml' },
    };
  },
};
