import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';

// What the drill tests of every runbook share: the drill's state file, the check that nothing it started is
// left, its Markdown report.
export const DRILL_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'drill');

export interface State {
  drillPid: number;
  apiPid?: number;
  pgDir?: string;
  ports: number[];
}
export const readState = (incidents: string) => JSON.parse(readFileSync(join(incidents, '.drill', 'state.json'), 'utf8')) as State;
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
export const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
export async function nothingLeft(state: State) {
  if (state.apiPid) expect(alive(state.apiPid), `wallet-api pid ${state.apiPid}`).toBe(false);
  for (const port of state.ports) expect(await listening(port), `port ${port}`).toBe(false);
  if (state.pgDir) expect(existsSync(state.pgDir), state.pgDir).toBe(false);
}
export const report = (incidents: string) => {
  const file = readdirSync(incidents).find((f) => f.endsWith('.drill-report.md'));
  return file ? readFileSync(join(incidents, file), 'utf8') : '';
};
