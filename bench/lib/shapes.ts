/**
 * Simulated tasks for the efficiency benchmark: one population per shape of progress, all on the
 * same duration mix and the same kinds of noise. Every parameter is stated here; a seed fixes the
 * draw.
 *
 * - Duration: log-normal, median 60 s, σ 1.5 (p5 ≈ 5 s, p95 ≈ 12 min), clamped to [2 s, 1 h].
 * - 30 % are queued first for 2–15 % of their duration (state `queued`, progress 0).
 * - The work rate wobbles: the run is cut into 10 equal stretches of time, each with its own speed
 *   `exp(N(0, 0.2))`, so that even "linear" progress is only roughly linear.
 * - Progress is reported in steps of 1 % (60 %), 5 % (15 %), 10 % (10 %) or to 0.01 % (15 %).
 * - An eta is given to the second, like an ISO date. Half the vendors fix it at the start; half
 *   re-estimate the time left at every poll, with the same bias and a further `exp(N(0, 0.03))`.
 */
import type { Random } from './random.js';

const SECOND = 1000;

/** What one simulated task reports about itself. */
export interface SimTask {
  id: number;
  /** Duration (ms from its start to its end). */
  durationMs: number;
  /** Time spent queued at the start (ms). */
  queuedMs: number;
  /** Progress reported at `t` ms after the start (undefined: the vendor gives none). */
  progressAt(t: number): number | undefined;
  /** The vendor's eta at `t`, in ms after the start (undefined: none). */
  etaAt(t: number): number | undefined;
}

/** A shape of progress: a name, what it is, and how to draw one task of it. */
export interface Shape {
  name: string;
  description: string;
  /** The work done (0..1) at running fraction `s` (0..1), before the wobble and the steps. */
  curve?: (rng: Random) => (s: number) => number;
  /** The factor an eta is off by (too early < 1 < too late); only for eta shapes. */
  etaBias?: (rng: Random) => number;
}

const logUniform = (rng: Random, low: number, high: number) => Math.exp(rng.between(Math.log(low), Math.log(high)));

/** The shapes every strategy is measured on. */
export const SHAPES: readonly Shape[] = [
  { name: 'linear', description: 'linear progress (with the wobble)', curve: () => (s) => s },
  {
    name: 'S-curve',
    description: 'logistic progress: slow start, fast middle, slow end (steepness 6–12, midpoint 40–60 %)',
    curve: (rng) => {
      const k = rng.between(6, 12);
      const m = rng.between(0.4, 0.6);
      const f = (s: number) => 1 / (1 + Math.exp(-k * (s - m)));
      const low = f(0);
      const high = f(1);
      return (s) => (f(s) - low) / (high - low);
    },
  },
  {
    name: 'stall, then resume',
    description: 'linear, but stalls at 30–80 % for 15–40 % of the run, then goes on at the same rate',
    curve: (rng) => {
      const at = rng.between(0.3, 0.8);
      const length = rng.between(0.15, 0.4);
      // Work `at` is reached at running fraction at·(1 − length); the stall follows.
      const stallStart = at * (1 - length);
      return (s) => {
        if (s < stallStart) return s / (1 - length);
        if (s < stallStart + length) return at;
        return (s - length) / (1 - length);
      };
    },
  },
  {
    name: 'jump to 99 %, then sits',
    description: 'linear as if to end on time, but at 20–70 % of the run jumps to 99 % and sits there until the end',
    curve: (rng) => {
      const at = rng.between(0.2, 0.7);
      return (s) => (s < at ? s : 0.99);
    },
  },
  {
    name: 'restarts from 0',
    description:
      'a retry inside the vendor: at 15–45 % of the run progress drops to 0 and starts over, at the same rate',
    curve: (rng) => {
      const at = rng.between(0.15, 0.45);
      return (s) => (s < at ? s / (1 - at) : (s - at) / (1 - at));
    },
  },
  {
    name: 'eta too early',
    description: 'no progress; an eta 0.5–0.85 × the real duration',
    etaBias: (rng) => logUniform(rng, 0.5, 0.85),
  },
  {
    name: 'eta too late',
    description: 'no progress; an eta 1.15–2 × the real duration',
    etaBias: (rng) => logUniform(rng, 1.15, 2),
  },
  { name: 'no progress', description: 'nothing but the state' },
];

/** `count` tasks of `shape`, drawn from `rng`. */
export function tasksOf(shape: Shape, count: number, rng: Random): SimTask[] {
  return Array.from({ length: count }, (_, id) => makeTask(id, shape, rng));
}

function makeTask(id: number, shape: Shape, rng: Random): SimTask {
  const durationMs = Math.round(clamp(60 * SECOND * Math.exp(1.5 * rng.normal()), 2 * SECOND, 3600 * SECOND));
  const queuedMs = rng.chance(0.3) ? Math.round(durationMs * rng.between(0.02, 0.15)) : 0;
  const running = durationMs - queuedMs;
  const speeds = Array.from({ length: 10 }, () => Math.exp(0.2 * rng.normal()));
  const total = speeds.reduce((sum, v) => sum + v, 0);
  // The work done by running fraction s, with the wobble: piecewise linear through the stretches.
  const wobble = (s: number): number => {
    const scaled = clamp(s, 0, 1) * speeds.length;
    const whole = Math.min(speeds.length - 1, Math.floor(scaled));
    let done = 0;
    for (let i = 0; i < whole; i++) done += speeds[i] as number;
    return (done + (speeds[whole] as number) * (scaled - whole)) / total;
  };
  const quantum = rng.pick<number>([
    [0.01, 0.6],
    [0.05, 0.15],
    [0.1, 0.1],
    [0.0001, 0.15],
  ]);
  const curve = shape.curve?.(rng);
  const progressAt = (t: number): number | undefined => {
    if (!curve) return undefined;
    if (t < queuedMs) return 0;
    const p = clamp(curve(wobble((t - queuedMs) / running)), 0, 1);
    return Math.round(Math.floor(p / quantum + 1e-9) * quantum * 10_000) / 10_000;
  };
  const bias = shape.etaBias?.(rng);
  const fixedEta = rng.chance(0.5);
  const salt = Math.floor(rng.next() * 2 ** 31);
  const etaAt = (t: number): number | undefined => {
    if (bias === undefined) return undefined;
    if (fixedEta) return Math.round((durationMs * bias) / SECOND) * SECOND;
    const left = Math.max(0, durationMs - t) * bias * Math.exp(0.03 * noise(salt, t));
    return Math.round((t + left) / SECOND) * SECOND;
  };
  return { id, durationMs, queuedMs, progressAt, etaAt };
}

/** A standard normal that depends only on (salt, t): the same reading whatever polled before. */
function noise(salt: number, t: number): number {
  const u = 1 - hash(salt, t, 1);
  const v = hash(salt, t, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function hash(salt: number, t: number, k: number): number {
  let h = (salt ^ Math.imul(Math.round(t), 0x9e3779b1) ^ Math.imul(k, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
