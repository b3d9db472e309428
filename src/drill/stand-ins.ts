import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Stand-ins for the tools a drill machine lacks (sudo, systemd, a Kubernetes cluster), put first on PATH for the
 * run: they act on the drill's (or a test's) services through the control plane's /drill endpoints, so a runbook's restart or
 * rollback command really restarts the service under test.
 */
export function drillTools(dir: string): string {
  const bin = join(dir, 'drill-bin');
  mkdirSync(bin, { recursive: true });
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}`);
    chmodSync(join(bin, name), 0o755);
  };
  // Like sudo run without a terminal: it cannot ask for a password, so only sudo -n (a NOPASSWD rule) runs.
  tool(
    'sudo',
    `if [ "\${1:-}" != -n ]; then
  echo "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper" >&2
  exit 1
fi
shift
# sudo -n -u USER: as root the drill runs it as that user (PostgreSQL's tools refuse root); otherwise as the caller.
# The environment is kept, as an env_keep rule keeps the variables the README names.
if [ "\${1:-}" = -u ]; then
  user=$2
  shift 2
  if [ "$(id -u)" = 0 ] && [ "$user" != root ]; then exec runuser -u "$user" -- "$@"; fi
fi
exec "$@"
`,
  );
  tool(
    'systemctl',
    `# systemd stand-in: the unit is the wallet API of the drill ($DRILL_API), restarted through $DRILL_CONTROL.
# systemd-resolved is not running on the drill machine ($DRILL_RESOLVED=active says it is).
up() { curl -fsS --max-time 2 "$DRILL_API/health" >/dev/null 2>&1; }
case "$*" in
  *systemd-resolved*)
    case "$1" in
      is-active) if [ "\${DRILL_RESOLVED:-inactive}" = active ]; then echo active; else echo inactive; exit 3; fi ;;
      *) curl -fsS -X POST "$DRILL_CONTROL/drill/restart-resolved" >/dev/null ;;
    esac
    exit ;;
esac
# A database unit ($DRILL_PG_UNIT) is started by the drill's script for it ($DRILL_PG_START).
if [ -n "\${DRILL_PG_UNIT:-}" ] && [ "\${2:-}" = "$DRILL_PG_UNIT" ]; then
  case "$1" in start) exec "$DRILL_PG_START" ;; *) exit 0 ;; esac
fi
case "$1" in
  restart) curl -fsS -X POST "$DRILL_CONTROL/drill/restart" >/dev/null ;;
  is-active) if up; then echo active; else echo failed; exit 3; fi ;;
  show) if up; then printf 'ActiveState=active\nSubState=running\n'; else printf 'ActiveState=failed\nSubState=failed\n'; fi
        printf 'Result=success\nNRestarts=0\n' ;;
  status) if up; then echo "active (running)"; else echo "failed"; fi ;;
  *) exit 0 ;;
esac
`,
  );
  tool(
    'kubectl',
    `# kubectl stand-in: a rollout undo rolls the drill's API back through $DRILL_CONTROL.
case "$*" in
  *"rollout undo"*) curl -fsS -X POST "$DRILL_CONTROL/drill/rollback" >/dev/null && echo "deployment rolled back" ;;
  *"rollout status"*) echo "deployment successfully rolled out" ;;
  *) exit 0 ;;
esac
`,
  );
  // The demo wallet's small disk ($DRILL_DISK, $DRILL_DISK_KB): df reports it as a filesystem of its own, its use
  // measured with du; any other path is the machine's df.
  tool(
    'df',
    `real=
for d in /usr/bin /bin; do if [ -x "$d/df" ]; then real="$d/df"; break; fi; done
human=; paths=
for a in "$@"; do case "$a" in -h) human=1 ;; -*) ;; *) paths="$paths$a
" ;; esac; done
if [ -z "\${DRILL_DISK:-}" ]; then exec "$real" "$@"; fi
if [ -n "$human" ]; then echo "Filesystem      Size  Used Avail Use% Mounted on"
else echo "Filesystem     1024-blocks      Used Available Capacity Mounted on"; fi
printf '%s' "$paths" | while IFS= read -r p; do
  case "$(cd "$p" 2>/dev/null && pwd -P)/" in
    "$DRILL_DISK"/*)
      used=$(du -sk "$DRILL_DISK" | cut -f1)
      free=$((DRILL_DISK_KB - used)); [ "$free" -lt 0 ] && free=0
      pct=$(( (used * 100 + DRILL_DISK_KB - 1) / DRILL_DISK_KB ))
      if [ -n "$human" ]; then echo "demo-disk $((DRILL_DISK_KB / 1024))M $((used / 1024))M $((free / 1024))M $pct% $DRILL_DISK"
      else echo "demo-disk $DRILL_DISK_KB $used $free $pct% $DRILL_DISK"; fi ;;
    *) if [ -n "$human" ]; then "$real" -h "$p" | tail -n +2; else "$real" -P "$p" | tail -n +2; fi ;;
  esac
done
`,
  );
  // journald may not run on the drill machine: its disk use and vacuum are answered, the rest goes to the real one.
  tool(
    'journalctl',
    `case "$*" in
  *--disk-usage*) echo "Archived and active journals take up 0B in the file system." ;;
  *--vacuum-size*) echo "Vacuuming done, freed 0B of archived journals from the drill's journal." ;;
  *) for d in /usr/bin /bin; do if [ -x "$d/journalctl" ]; then exec "$d/journalctl" "$@"; fi; done ;;
esac
`,
  );
  return bin;
}
