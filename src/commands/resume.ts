import { resumeIncident, type ResumeOptions } from '../session/resume.js';

export type { ResumeOptions };

export async function resumeCommand(ref: string | undefined, options: ResumeOptions): Promise<void> {
  await resumeIncident(ref, options);
}
