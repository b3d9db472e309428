/** The example runbook a scaffolded directory starts with: small, every kind of step a team writes first, clean under --strict. */
export const EXAMPLE_RUNBOOK_ID = 'service-down';

export function exampleRunbook(): string {
  return `# yaml-language-server: $schema=./runbook.schema.json
#
# An example to adapt: copy it per anomaly class, keep the line above (your editor then completes keys,
# shows what each means and marks mistakes), and check with: sev validate
format: sevkit/v1
id: ${EXAMPLE_RUNBOOK_ID}
title: Service down
version: "0.1.0"
class: server-failure
severity: SEV2
owner: your-team
summary: Use when the service stops answering its health endpoint.

inputs:
  health_url:
    prompt: Health endpoint of the service
    default: http://127.0.0.1:8080/health
    pattern: 'https?://\\S+'
  service:
    prompt: systemd unit of the service
    default: my-service

checks:
  health:
    description: The service answers its health endpoint
    run: curl -fsS --max-time 5 "$SEV_HEALTH_URL"
    timeout: 10s

steps:
  - id: confirm
    title: Confirm the outage
    checks: [health]
    on_fail: continue
    milestone: detected
  - id: declare
    choice:
      question: How many users are affected?
      options:
        - { label: Most or all users, severity: SEV1 }
        - { label: Some users, severity: SEV2 }
        - { label: "Nobody: a false alarm", goto: end }
    milestone: acknowledged
  - id: restart
    instructions: Restart the service on every host.
    command:
      run: sudo systemctl restart "$SEV_SERVICE"
      timeout: 60s
    milestone: mitigated
  - id: verify
    wait: { check: health, timeout: 5m, interval: 15s, on_timeout: ask }
    milestone: resolved
`;
}

/** A team config that points sev at the scaffolded directory, its schema named for editors. */
export function teamConfig(runbooks: string, schema: string): string {
  return `# yaml-language-server: $schema=${schema}
format: sevkit-config/v1
runbooks: ${JSON.stringify(runbooks)}
`;
}

/**
 * A GitHub workflow that validates the runbooks on every change. The directory reaches the shell only as
 * an environment variable, never inside the command.
 */
export function githubWorkflow(runbooks: string, config: string | undefined, version: string): string {
  const paths = [`${runbooks}/**`, ...(config ? [config] : [])].map((p) => `      - ${JSON.stringify(p)}`).join('\n');
  return `# Checks the runbooks on every change: each problem is shown on the line of the pull request.
# sev comes from the npm registry, at the version that wrote this file; where sevkit is a devDependency
# of the repository, run npm ci and npx sev validate instead.
name: runbooks
on:
  pull_request:
    paths:
${paths}
  push:
    paths:
${paths}
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: sev validate
        env:
          RUNBOOKS: ${JSON.stringify(runbooks)}
        run: npx --yes --package sevkit@${version} sev validate --strict "$RUNBOOKS"
`;
}
