import { describe, expect, it } from 'vitest';
import { type BarView, clock, formatDuration, renderBar } from '../../src/cli/progress.js';

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
