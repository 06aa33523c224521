/** Small helpers shared by the benchmarks: quantiles, formatting, tables and timing. */

/** The `q` quantile (0..1) of `values`, by linear interpolation; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const pos = (sorted.length - 1) * q;
  const low = Math.floor(pos);
  const high = Math.ceil(pos);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (pos - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** A fixed-point number with `digits` decimals, or "-" for NaN. */
export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** A byte count as B, KiB or MiB. */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${Math.round(value)} B`;
}

/** A ratio as "1.07x". */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '-';
}

/** A Markdown table, columns padded so it also reads well in a terminal. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds since an arbitrary origin, with sub-ms resolution. */
export const clock = (): number => performance.now();

/** What one benchmark reports: its printed text and its figures, for bench/results. */
export interface BenchResult {
  name: string;
  title: string;
  /** The printed tables and notes. */
  text: string;
  /** Every figure, as plain JSON. */
  figures: Record<string, unknown>;
  /** The issue's goals this bench checks. */
  goals: Goal[];
}

export interface Goal {
  goal: string;
  met: boolean;
  figure: string;
}
