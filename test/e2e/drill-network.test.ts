import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runSev, stepEvent } from '../fixtures/wallet/harness.js';
import { DRILL_FIXTURES as FIXTURES, nothingLeft, readState, report, type State } from './drill-harness.js';

// sev drill network end to end: the partner bank behind its channel connector goes dark with withdrawals in flight.

const drill = async (fixture: string) => {
  const dir = tempDir();
  const incidents = join(dir, 'incidents');
  let state: State | undefined;
  const r = await runSev(['drill', 'network', '--scenario', 'bank-unreachable', '--seed', '3', '--answers', join(FIXTURES, fixture)], {
    cwd: dir,
    incidents,
    triggers: [{ when: stepEvent('step.started', 'confirm-symptoms'), then: () => void (state = readState(incidents)) }],
  });
  const results = (step: string, check: string) =>
    r.events.filter((e) => e.type === 'check.result' && e.data.step === step && e.data.check === check).map((e) => e.data.status);
  return { r, results, md: report(incidents), state };
};

describe('sev drill network', () => {
  it('bank-unreachable, walked as the runbook says: paused, settled by status enquiry, every withdrawal paid once', async () => {
    const { r, results, md, state } = await drill('network-bank-unreachable.yaml');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    // The checks see the bank dark for real, and back after the walk.
    expect(results('confirm-symptoms', 'bank-channel')).toEqual(['CRITICAL']);
    expect(results('confirm-symptoms', 'in-flight')).toEqual(['CRITICAL']);
    expect(results('confirm-symptoms', 'db-query')).toEqual(['OK']);
    expect(results('verify-all', 'bank-channel')).toEqual(['OK']);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-settled')?.data.passed).toBe(true);
    expect(md).toContain('Score: perfect');
    expect(md).toMatch(/Fault fixed \| yes: bank-a answers end to end and its channel is active again/);
    expect(md).toMatch(
      /Money right \| yes: .*withdrawals through bank-a: \d+ paid by the bank and completed, \d+ returned to the balance; 0 paid twice, 0 paid but returned/,
    );
    expect(md).toMatch(/0 pending, 0 acknowledged but not booked/);
    await nothingLeft(state!);
  }, 60_000);

  it('bank-unreachable with automatic retries left on: the score says pause-auto-retry was skipped, and why', async () => {
    const { r, md } = await drill('network-bank-unreachable-retries-on.yaml');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(md).toContain('Score: not perfect');
    expect(md).toContain('| Steps skipped | pause-auto-retry |');
    expect(md).toMatch(/- Step pause-auto-retry: stop automatic retries before the bank answers again/);
  }, 60_000);
});
