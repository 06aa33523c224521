/**
 * The help texts: the short usage after a usage error, `taskwait --help`, and each command's own.
 *
 * @module
 */
import type { CommandName } from './args.js';
import { EXIT, SEVERITY_HELP } from './exit.js';
import { GENERIC_TOKEN_ENV, LAYER_IQ, VENDORS } from './vendors.js';

/** The short usage, shown after a usage error. */
export const USAGE = `usage: taskwait wait <vendor> <task-ref>... [--refs FILE|-] [--any] [--base-url URL] [--timeout 1h] [--min-delay 1s] [--max-delay 30s] [--json] [-q]
       taskwait get <vendor> <task-ref> [--base-url URL] [--json]
       taskwait issues|rows <layer-iq-task-ref> [--format ndjson|csv] [--base-url URL]
       taskwait --help | --version
vendors: ${VENDORS.map((v) => v.name).join(', ')}`;

const EXIT_HELP: readonly [number, string][] = [
  [EXIT.ok, 'succeeded or skipped (wait); done (get, issues, rows)'],
  [EXIT.failed, 'failed'],
  [EXIT.partial, 'partial: the task ended, but some of its items failed'],
  [EXIT.canceled, 'canceled'],
  [EXIT.timedOut, 'timed out: --timeout ran out first (the task goes on)'],
  [EXIT.http, 'HTTP error status: 400, 404, ... (429 and 5xx too after retries, except in wait)'],
  [EXIT.auth, '401 or 403: the token is missing, wrong, expired or lacks access'],
  [
    EXIT.network,
    'network error: no answer (refused, DNS, timeout) after retries\n(wait retries 429, 5xx and, once the server has answered, network faults until --timeout)',
  ],
  [EXIT.invalidResponse, "invalid response: not JSON, or not the vendor's documented model"],
  [EXIT.usage, 'bad usage: command, option, duration, vendor or task ref'],
  [EXIT.internal, 'internal error (a bug in taskwait: please report it)'],
  [EXIT.interrupted, 'interrupted by Ctrl-C (SIGINT); the task goes on at the vendor'],
  [EXIT.outputClosed, 'stdout was closed early (e.g. piped into head)'],
  [EXIT.terminated, 'terminated by SIGTERM; the task goes on at the vendor'],
];

const COMMON_OPTIONS = `  --base-url URL   the API's base URL (default: the vendor's production URL)
  -q, --quiet      no progress on stderr        -v, --verbose   requests, retries, polls on stderr`;

/** `taskwait <command> --help`: the command's usage, options and an example, in a few lines. */
export function commandHelp(command: CommandName): string {
  const text: Record<CommandName, string> = {
    wait: `usage: taskwait wait <vendor> <task-ref>... [options]
Polls until the tasks end; the exit code says how (0 succeeded; see taskwait --help).
Progress on stderr: state, percentage and the vendor's status, e.g. "running 50% (PROCESSING)".

  --timeout D      give up after D (default 1h; "none": no limit)
  --min-delay D    the first and shortest delay between polls    --max-delay D   the longest (default 30s)
  --refs FILE      more task refs, one per line ("-": stdin)     --any           stop at the first to end
  --json           JSON lines on stdout even on a terminal
${COMMON_OPTIONS}

  vendors: ${VENDORS.map((v) => v.name).join(', ')}; the token comes from the vendor's variable (taskwait --help).
  example: taskwait wait mixpeek task_abc123 --timeout 20m
`,
    get: `usage: taskwait get <vendor> <task-ref> [options]
Fetches the task once and prints its snapshot as JSON (exit 0 whatever its state).

  --json           JSON on stdout (the default)
${COMMON_OPTIONS}

  example: taskwait get softwareone TSK-0001-2474-4798-1266 | jq -r .state
`,
    issues: `usage: taskwait issues <task-ref> [options]
Streams a Layer IQ task's issues, page by page, one per line.

  --format F       ndjson (default) or csv     --scope S   all (default), rows or run
  --page-size N    items per page to ask the server for
${COMMON_OPTIONS}

  example: taskwait issues run_000123 --format csv > issues.csv
`,
    rows: `usage: taskwait rows <task-ref> [options]
Streams a Layer IQ NORMALIZE task's normalized rows, page by page, one per line.

  --format F       ndjson (default) or csv
  --page-size N    items per page to ask the server for
${COMMON_OPTIONS}

  example: taskwait rows run_000123 > rows.ndjson
`,
  };
  return text[command];
}

/** The `--help` text. */
export function helpText(version: string): string {
  const vendorLines = VENDORS.flatMap((v) => [
    `  ${v.name.padEnd(12)} ${v.env.padEnd(27)} ${v.token}`,
    ...v.refs.map((r) => `               ${r}`),
  ]);
  return `taskwait ${version}: wait for another company's API task to finish, from a shell or CI step.

Usage:
  taskwait wait <vendor> <task-ref>... [options]
                                                poll until the tasks end; the exit code says how
  taskwait get <vendor> <task-ref> [options]    fetch the task once, print its snapshot (exit 0 whatever its state)
  taskwait issues <task-ref> [options]          a Layer IQ task's issues, streamed page by page
  taskwait rows <task-ref> [options]            a Layer IQ NORMALIZE task's normalized rows, streamed
  taskwait --help | --version
  taskwait <command> --help                     one command's usage and options, in short

Options:
  --base-url URL     the API's base URL (default: the vendor's production URL); for a sandbox, a
                     proxy or a fake server. The token is only sent to this origin.
  --timeout D        wait: give up after D (default 1h; "none": no limit)
  --min-delay D      wait: the first and shortest delay between polls (default 1s; anaplan 5s)
  --max-delay D      wait: the longest delay between polls (default 30s)
  --refs FILE        wait: more task refs, one per line ("-": stdin; "#" starts a comment)
  --any              wait: stop at the first task to end; exit with its code
  --json             wait, get: JSON lines on stdout even on a terminal
  --format F         issues, rows: ndjson (default) or csv
  --scope S          issues: all (default), rows (per-row outcomes) or run (run-level notices)
  --page-size N      issues, rows: items per page to ask the server for
  -q, --quiet        no progress on stderr; only errors and an unsuccessful end
  -v, --verbose      every request (status, time), retry (why, how long) and poll decision on
                     stderr, one line each (TASKWAIT_LOG=debug|info|warn|error picks a level)
  -h, --help         this help
  -V, --version      the version

Durations (D): 500ms, 10s, 10m, 1h, or combined (1m30s); a plain number is seconds (90, 0.5).

Output:
  wait on a terminal: a live progress bar on stderr: state, percentage, elapsed time, next poll.
  wait when stdout is piped, or with --json: one JSON line per observed snapshot on stdout (the
    library's TaskSnapshot as-is), the last one terminal; nothing else goes to stdout.
  wait on several tasks (or with --refs or --any): one JSON line per task event, with its "ref":
    the snapshot whenever a task's state or progress changes, or {"ref","error"} when its wait
    failed. The tasks share one request budget (the vendor's rate limit) and one --timeout;
    tasks the vendor can read together are read in one request. On stderr, a line as each ends.
  get: the snapshot as JSON. issues, rows: one JSON object per line, or CSV with a header row
    (CSV has the documented columns; ndjson keeps every field).
  Messages and errors go to stderr.

Tokens and task refs:
  The token is read from the vendor's variable, else from ${GENERIC_TOKEN_ENV}; never from a flag.
  A task ref is the vendor's task id, a JSON object (quote it), or the task's absolute URL on the
  base URL's origin (e.g. a 202's Location); '{"url":"/path/of/task"}' is relative to the base URL.

  vendor       token variable              token
${vendorLines.join('\n')}
  issues and rows take a Layer IQ task ref and read ${LAYER_IQ.env}.

Exit codes:
${EXIT_HELP.map(([code, text]) => `  ${String(code).padEnd(4)} ${text.replaceAll('\n', '\n       ')}`).join('\n')}
  Waiting on several tasks, the code is the worst outcome's, in the order ${SEVERITY_HELP}
  (with --any, the code of the first task to end).

Examples:
  export TASKWAIT_MIXPEEK_TOKEN=sk_...
  taskwait wait mixpeek task_abc123 --timeout 20m
  taskwait wait postman '{"kind":"collection-update","taskId":"66ae9950"}' --json | jq -r .state
  taskwait wait softwareone TSK-0001-2474-4798-1266 TSK-0001-2474-4798-1267 --timeout 30m
  jq -c '{kind:"collection-update",taskId:.id}' tasks.json | taskwait wait postman - --any
  taskwait issues run_000123 --format csv > issues.csv
`;
}
