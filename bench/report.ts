/**
 * What the benchmark prints and saves: each figure as min / median / max of its runs, the table
 * for stdout (and the README), the targets with their verdicts, and an SVG chart.
 */
import type { BundleFigures } from './bundle';
import type { ApiCase, ApiRun, ValidateRun } from './cases';

export interface Figure {
  min: number;
  median: number;
  max: number;
  runs: number[];
}

export function figure(values: readonly number[]): Figure {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] ?? Number.NaN)
      : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted.at(-1) ?? Number.NaN, runs: [...values] };
}

/** main: the product's defaults; baseline: one request at a time; sweep: a fixed most in flight. */
export type ApiGroup = 'main' | 'baseline' | 'sweep';

export interface ApiFigures {
  group: ApiGroup;
  spec: ApiCase;
  seconds: Figure;
  peoplePerSecond: Figure;
  timeOverBound: Figure;
  requestsPerRow: Figure;
  throttled: Figure;
  /** The worst run's. */
  duplicates: number;
  missing: number;
}

export function apiFigures(group: ApiGroup, spec: ApiCase, runs: readonly ApiRun[]): ApiFigures {
  const of = (pick: (run: ApiRun) => number) => figure(runs.map(pick));
  return {
    group,
    spec,
    seconds: of((r) => r.seconds),
    peoplePerSecond: of((r) => r.peoplePerSecond),
    timeOverBound: of((r) => r.timeOverBound),
    requestsPerRow: of((r) => r.requestsPerRow),
    throttled: of((r) => r.throttled),
    duplicates: Math.max(...runs.map((r) => r.duplicates)),
    missing: Math.max(...runs.map((r) => r.missing)),
  };
}

export interface ValidateFigures {
  through: 'engine' | 'cli';
  rows: number;
  /** Runs the figures are the median (min) of. */
  runs: number;
  seconds: Figure;
  rowsPerSecond: Figure;
  peakRssMb: Figure;
}

export function validateFigures(
  through: 'engine' | 'cli',
  rows: number,
  runs: readonly ValidateRun[],
): ValidateFigures {
  return {
    through,
    rows,
    runs: runs.length,
    seconds: figure(runs.map((r) => r.seconds)),
    rowsPerSecond: figure(runs.map((r) => r.rowsPerSecond)),
    peakRssMb: figure(runs.map((r) => r.peakRssMb)),
  };
}

export interface Target {
  name: string;
  measured: string;
  held: boolean;
  /** What the verdict rests on when it is not the case the target names (a quick run). */
  basis?: string;
}

export interface BenchReport {
  mode: 'full' | 'quick';
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  runsPerCase: number;
  apiCasesAtOnce: number;
  /** The API cases running at once send at most this many requests a second, together. */
  requestsPerSecondAtOnce: number;
  validationsAtOnce: number;
  durationSeconds: number;
  api: ApiFigures[];
  speedUps: { latencyMs: number; baseline: number; adaptive: number; speedUp: number; versus: string }[];
  validation: ValidateFigures[];
  bundle: Omit<BundleFigures, 'file'>;
  coldStartSeconds: Figure;
  helpSeconds: Figure;
  targets: Target[];
}

const whole = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number) => n.toFixed(digits);
const kb = (bytes: number) => `${whole(bytes / 1024)} KB`;
export const pathName = (path: ApiCase['path']) => (path === 'cli' ? 'jc-onboard' : 'handler');
const inFlight = (spec: ApiCase) => (spec.concurrency === undefined ? 'adaptive' : String(spec.concurrency));

/** The whole report as text: the table printed on stdout and pasted into the README. */
export function reportTable(report: BenchReport): string {
  const out: string[] = [];
  const { machine } = report;
  out.push(
    `${report.mode === 'quick' ? 'QUICK run (small files, one run each: a smoke test, not the figures)' : 'Full run'}, ` +
      `${report.date}, ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}; ` +
      `took ${whole(report.durationSeconds)} s`,
    `Each figure: median (min) of ${report.runsPerCase} run(s). The simulator runs in its own process: ` +
      'latency ±25%, a token bucket (429, half with Retry-After), 1% transient 503 (half after acting). ' +
      `Up to ${report.apiCasesAtOnce} API cases run at once, each with its own simulator, as long as ` +
      `their requests add up to at most ${report.requestsPerSecondAtOnce} a second; validation runs ` +
      `${report.validationsAtOnce} at a time, after them.`,
    '',
  );
  const median = (f: Figure, digits: number) => fixed(f.median, digits);
  const withMin = (f: Figure, digits: number) => `${fixed(f.median, digits)} (${fixed(f.min, digits)})`;
  const apiRow = (f: ApiFigures) => [
    pathName(f.spec.path),
    whole(f.spec.rows),
    `${f.spec.rate}/s`,
    `${f.spec.latencyMs} ms`,
    inFlight(f.spec),
    withMin(f.seconds, 1),
    median(f.peoplePerSecond, 0),
    median(f.timeOverBound, 2),
    median(f.requestsPerRow, 3),
    median(f.throttled, 0),
    String(f.duplicates),
    String(f.missing),
  ];
  const apiHeader = [
    'path',
    'rows',
    'limit',
    'latency',
    'in flight',
    'time s',
    'people/s',
    'time÷bound',
    'req/row',
    '429s',
    'duplicates',
    'missing',
  ];
  out.push('New people (bound = rows ÷ rate limit; time through jc-onboard is the whole process)');
  out.push(...table([apiHeader, ...report.api.filter((f) => f.group === 'main').map(apiRow)]), '');
  out.push('One at a time (the original script and JumpCloud importer), same run');
  out.push(...table([apiHeader, ...report.api.filter((f) => f.group === 'baseline').map(apiRow)]));
  for (const s of report.speedUps)
    out.push(
      `  speed-up at ${s.latencyMs} ms: ${fixed(s.speedUp, 1)}x (${fixed(s.adaptive, 0)} vs ${fixed(s.baseline, 1)} people/s, ${s.versus})`,
    );
  out.push('');
  out.push('Concurrency sweep (jc-onboard; fewer rows where one run would take minutes)');
  out.push(...table([apiHeader, ...report.api.filter((f) => f.group === 'sweep').map(apiRow)]), '');
  out.push(
    'Validation (engine: bundled as shipped, in its own process, timed inside it; jc-onboard validate: ' +
      'whole process; peak RSS is the whole process)',
  );
  out.push(
    ...table([
      ['through', 'rows', 'runs', 'time s', 'rows/s', 'peak RSS MB'],
      ...report.validation.map((v) => [
        v.through === 'cli' ? 'jc-onboard validate' : 'engine',
        whole(v.rows),
        String(v.runs),
        withMin(v.seconds, 2),
        whole(v.rowsPerSecond.median),
        withMin(v.peakRssMb, 0),
      ]),
    ]),
    '',
  );
  const { bundle } = report;
  out.push(
    `Bundle (esbuild as the stack's NodejsFunction builds it): ${kb(bundle.rawBytes)} minified, ${kb(bundle.gzipBytes)} gzipped`,
  );
  for (const m of bundle.biggest)
    out.push(`  ${m.module.padEnd(44)} ${kb(m.bytes).padStart(9)}  ${fixed(m.share * 100, 0).padStart(3)}%`);
  out.push(
    `Cold start, fresh process to the first (header-only) file done: ${ms(report.coldStartSeconds)} ` +
      `(median (min) of ${report.coldStartSeconds.runs.length})`,
    `jc-onboard --help, whole process: ${ms(report.helpSeconds)} (median (min) of ${report.helpSeconds.runs.length})`,
    '',
    'Targets',
  );
  out.push(
    ...table([
      ['target', 'measured', 'verdict'],
      ...report.targets.map((t) => [
        t.name,
        t.measured,
        `${t.held ? 'held' : 'NOT held'}${t.basis ? ` (${t.basis})` : ''}`,
      ]),
    ]),
  );
  return `${out.join('\n')}\n`;
}

const ms = (f: Figure) => `${whole(f.median * 1000)} ms (${whole(f.min * 1000)} ms)`;

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** Two bar charts: time over the bound for each file size and latency; people per second by concurrency. */
export function reportChart(report: BenchReport): string {
  const main = report.api.filter((f) => f.group === 'main');
  const sweep = report.api.filter((f) => f.group === 'sweep');
  const width = 820;
  const labelWidth = 300;
  const barHeight = 18;
  const parts: string[] = [];
  let y = 30;
  const panel = (
    title: string,
    bars: { label: string; value: number; text: string }[],
    marks: { at: number; label: string }[],
  ) => {
    parts.push(`<text x="10" y="${y}" font-weight="bold">${escapeXml(title)}</text>`);
    y += 14;
    const top = y;
    const scaleMax = Math.max(...bars.map((b) => b.value), ...marks.map((m) => m.at)) * 1.1 || 1;
    const x = (v: number) => labelWidth + (v / scaleMax) * (width - labelWidth - 70);
    for (const bar of bars) {
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${Math.max(1, x(bar.value) - labelWidth).toFixed(1)}" height="${barHeight - 4}" fill="#4a7fb5"/>`,
        `<text x="${(x(bar.value) + 4).toFixed(1)}" y="${y + 13}">${escapeXml(bar.text)}</text>`,
      );
      y += barHeight;
    }
    for (const mark of marks) {
      parts.push(
        `<line x1="${x(mark.at).toFixed(1)}" y1="${top}" x2="${x(mark.at).toFixed(1)}" y2="${y}" stroke="#c33" stroke-dasharray="4 3"/>`,
        `<text x="${x(mark.at).toFixed(1)}" y="${y + 12}" fill="#c33" text-anchor="middle">${escapeXml(mark.label)}</text>`,
      );
    }
    y += 40;
  };
  panel(
    'Time ÷ bound (rows ÷ rate limit), median: 1.0 is the least the rate limit allows',
    main.map((f) => ({
      label: `${pathName(f.spec.path)}, ${whole(f.spec.rows)} rows, ${f.spec.rate}/s, ${f.spec.latencyMs} ms`,
      value: f.timeOverBound.median,
      text: fixed(f.timeOverBound.median, 2),
    })),
    [
      { at: 1, label: 'bound' },
      { at: 1.05, label: '1.05' },
    ],
  );
  const sweepSpec = sweep[0]?.spec;
  panel(
    `People per second by most requests in flight (jc-onboard, ${sweepSpec?.rate ?? '?'}/s limit, ${sweepSpec?.latencyMs ?? '?'} ms)`,
    sweep.map((f) => ({
      label: `${inFlight(f.spec)} in flight (${whole(f.spec.rows)} rows)`,
      value: f.peoplePerSecond.median,
      text: fixed(f.peoplePerSecond.median, 0),
    })),
    sweepSpec ? [{ at: sweepSpec.rate, label: 'rate limit' }] : [],
  );
  parts.push(
    `<text x="10" y="${y}" fill="#666">${escapeXml(`${report.mode} run, ${report.date}, ${report.machine.cpus} cores, Node ${report.machine.node}`)}</text>`,
  );
  const height = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`jc-onboard benchmark, ${report.mode} run, ${report.date}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
