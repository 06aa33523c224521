import { describe, expect, it } from 'vitest';
import { MessageOut, Secrets } from '../../src/cli/output.js';
import { type BarView, clock, formatDuration, LineReporter, renderBar } from '../../src/cli/progress.js';
import { formatRecord } from '../../src/cli/verbose.js';

const view: BarView = { state: 'running', progress: 0.42, elapsedMs: 83_000, nextPollMs: 4200, frame: 0 };

describe('renderBar', () => {
  it('shows the state, a bar, the percentage, the elapsed time and the next poll', () => {
    expect(renderBar(view, 100)).toBe(`⠋ running    [${'█'.repeat(13)}${'░'.repeat(17)}]   42%  1:23  next poll in 4s`);
  });

  it('never reaches the last column, however narrow the terminal', () => {
    for (const columns of [20, 40, 60, 80, 200]) {
      expect(renderBar({ ...view, note: 'the server answered 503' }, columns).length).toBeLessThan(
        Math.max(columns, 21),
      );
    }
  });

  it('drops the bar before it gets too short', () => {
    expect(renderBar(view, 45)).not.toContain('[');
  });

  it('says when progress is unknown, when a poll is under way and for how long', () => {
    const line = renderBar({ ...view, progress: undefined, nextPollMs: 0 }, 100);
    expect(line).toContain(`[${'░'.repeat(30)}]`);
    expect(line).toContain(' --%');
    expect(line).toMatch(/polling…$/);
    expect(renderBar({ ...view, nextPollMs: -4000 }, 100)).toMatch(/polling… 4s$/);
    expect(renderBar({ ...view, state: 'succeeded', progress: 1, nextPollMs: undefined }, 100)).toMatch(
      /100% {2}1:23$/,
    );
  });

  it("shows the vendor's own status word after the state, without control characters, cut when long", () => {
    expect(renderBar({ ...view, rawStatus: 'PROCESSING' }, 100)).toBe(
      `⠋ running (PROCESSING)  [${'█'.repeat(13)}${'░'.repeat(17)}]   42%  1:23  next poll in 4s`,
    );
    expect(renderBar({ ...view, rawStatus: 'RUN\u001b[2JNING' }, 100)).toContain('running (RUN?[2JNING)');
    expect(renderBar({ ...view, rawStatus: 'X'.repeat(200) }, 200)).toContain(`running (${'X'.repeat(23)}…)`);
  });

  it('colours only the state, and only when asked', () => {
    expect(renderBar({ ...view, state: 'failed' }, 100, true)).toContain('\u001b[31mfailed\u001b[0m');
    expect(renderBar(view, 100, false)).not.toContain('\u001b');
  });
});

describe('durations for people', () => {
  it.each([
    [0, '0:00'],
    [59_999, '0:59'],
    [754_000, '12:34'],
    [3_723_000, '1:02:03'],
  ])('clock(%d) is %s', (ms, text) => {
    expect(clock(ms)).toBe(text);
  });

  it.each([
    [20, '20ms'],
    [4200, '4s'],
    [65_000, '1m 5s'],
    [120_000, '2m'],
    [7_380_000, '2h 3m'],
  ])('formatDuration(%d) is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('a request being retried', () => {
  it('gets a line of its own without a terminal: why, which attempt comes next, and when', () => {
    let text = '';
    const stream = {
      isTTY: false,
      columns: 80,
      write: (chunk: string) => (text += chunk),
    } as unknown as NodeJS.WriteStream;
    const reporter = new LineReporter(new MessageOut(stream, new Secrets()));
    reporter.start('waiting for mixpeek task t');
    reporter.retry('rate limited (429)', 1500, 2);
    expect(text).toMatch(
      /^waiting for mixpeek task t\n {2}0:00 {2}rate limited \(429\); retrying the request \(attempt 2\) in 2s\n$/,
    );
  });
});

describe('formatRecord (--verbose)', () => {
  it('writes the level, the message and the fields as key=value, quoting what needs it', () => {
    expect(
      formatRecord('info', 'taskwait: retrying a request', {
        event: 'retry',
        vendor: 'mixpeek',
        url: 'https://api.mixpeek.com/v1/tasks/t_1?x=1',
        attempt: 1,
        message: 'the server answered 503',
        done: false,
        error: { name: 'HttpError', message: 'x' },
        skipped: undefined,
      }),
    ).toBe(
      'taskwait info: retrying a request vendor=mixpeek url="https://api.mixpeek.com/v1/tasks/t_1?x=1" attempt=1 message="the server answered 503" done=false error={"name":"HttpError","message":"x"}',
    );
  });
});
