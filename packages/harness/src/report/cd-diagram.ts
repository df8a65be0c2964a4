/**
 * The critical-difference diagram of Demšar (JMLR 2006, figure 1): each ranking's average rank over
 * the tasks on one axis (1 = best, on the left), with the Nemenyi critical difference as a scale bar
 * and a thick bar under each group of rankings the test cannot tell apart. Drawn with ECharts and
 * rendered to SVG server-side, like the report's other charts.
 */
import type { EChartsOption } from 'echarts';
import { renderChart } from './charts';

/** The file `writeReports` writes the diagram to, beside report.md (which links it). */
export const CD_DIAGRAM_FILE = 'cd-diagram.svg';

/** What the diagram needs: `crossTask`'s scores (average ranks) and its Nemenyi result. */
export interface CdDiagramInput {
  readonly scores: Readonly<Record<string, { readonly averageRank?: number; readonly kind?: string }>>;
  readonly nemenyi?: {
    readonly alpha: number;
    readonly criticalDifference: number;
    readonly cliques: readonly (readonly string[])[];
  };
  /** Title (default "Average rank over N tasks (Nemenyi, α = …)"). */
  readonly title?: string;
  /** Number of tasks, for the default title. */
  readonly taskCount?: number;
}

const AXIS_Y = 0;
const ROW = 1;
const LABEL_COLOUR = '#222';
const BASELINE_COLOUR = '#9a9a9a';
const SCORE_COLOUR = '#3b6fb6';

/** Height in pixels of the diagram of `rows` labels per side and `bars` clique bars. */
function heightOf(rows: number, bars: number): number {
  return 90 + 22 * (rows + bars * 0.5);
}

/**
 * The ECharts option of a critical-difference diagram: a value axis of average ranks from 1 (left)
 * to k, a marker per ranking on the axis with an elbow line to its label (the better half labelled on
 * the left, the rest on the right), the CD as a scale bar above the axis, and a thick bar under each
 * clique ({@link cliques}). Baselines are grey.
 *
 * @param input - {@link CdDiagramInput}: `crossTask.scores` and `crossTask.nemenyi`.
 * @returns the option and the size to render it at, or undefined without a Nemenyi result or with
 *   fewer than two ranked scores.
 * @example
 * ```ts
 * const cd = cdDiagramOption(report.crossTask);
 * if (cd) chart.setOption(cd.option);
 * ```
 */
export function cdDiagramOption(
  input: CdDiagramInput,
): { option: EChartsOption; width: number; height: number } | undefined {
  const nemenyi = input.nemenyi;
  const ranked = Object.entries(input.scores)
    .filter(([, s]) => s.averageRank !== undefined)
    .sort((a, b) => a[1].averageRank! - b[1].averageRank! || (a[0] < b[0] ? -1 : 1));
  if (!nemenyi || ranked.length < 2) return undefined;
  const k = ranked.length;
  const half = Math.ceil(k / 2);
  const left = ranked.slice(0, half);
  const right = ranked.slice(half).reverse(); // the worst nearest the bottom right, as Demšar draws it
  const bars = nemenyi.cliques.length;
  const labelTop = AXIS_Y - ROW * (1 + 0.5 * bars);
  const series: NonNullable<EChartsOption['series']> = [];
  const colourOf = (kind?: string) => (kind === 'baseline' ? BASELINE_COLOUR : SCORE_COLOUR);
  const place = (rows: typeof left, side: 'left' | 'right') =>
    rows.forEach(([id, s], i) => {
      const y = labelTop - ROW * i;
      const x = side === 'left' ? 0.6 : k + 0.4;
      series.push({
        type: 'line',
        silent: true,
        clip: false,
        symbol: 'none',
        lineStyle: { color: colourOf(s.kind), width: 1 },
        data: [
          [s.averageRank!, AXIS_Y],
          [s.averageRank!, y],
          [x, y],
        ],
      });
      series.push({
        type: 'scatter',
        silent: true,
        clip: false,
        symbolSize: 6,
        itemStyle: { color: colourOf(s.kind) },
        data: [{ value: [x, y], name: `${id} (${s.averageRank!.toFixed(2)})` }],
        label: { show: true, position: side, formatter: '{b}', color: LABEL_COLOUR, fontSize: 11 },
      });
    });
  place(left, 'left');
  place(right, 'right');
  // the cliques: thick bars just below the axis, one row each
  nemenyi.cliques.forEach((group, i) => {
    const ranks = group
      .map((id) => input.scores[id]?.averageRank)
      .filter((r): r is number => r !== undefined);
    if (ranks.length < 2) return;
    const y = AXIS_Y - ROW * 0.5 * (i + 1);
    series.push({
      type: 'line',
      silent: true,
      clip: false,
      symbol: 'none',
      lineStyle: { color: '#000', width: 4 },
      data: [
        [Math.min(...ranks) - 0.03, y],
        [Math.max(...ranks) + 0.03, y],
      ],
    });
  });
  // the critical difference as a scale bar above the axis, from rank 1
  series.push({
    type: 'line',
    silent: true,
    symbol: 'none',
    lineStyle: { color: '#000', width: 1.5 },
    data: [
      [1, AXIS_Y + ROW * 0.9],
      [1 + nemenyi.criticalDifference, AXIS_Y + ROW * 0.9],
    ],
    endLabel: { show: true, formatter: `CD = ${nemenyi.criticalDifference.toFixed(2)}`, fontSize: 11 },
  });
  const rows = Math.max(left.length, right.length);
  const longest = Math.max(...ranked.map(([id]) => id.length)) + 7;
  const side = Math.min(240, 40 + 7 * longest);
  const title =
    input.title ??
    `Average rank${input.taskCount ? ` over ${input.taskCount} tasks` : ''} (Nemenyi, α = ${nemenyi.alpha})`;
  return {
    width: Math.max(520, 2 * side + 60 * k),
    height: heightOf(rows, bars),
    option: {
      title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
      grid: { left: side, right: side, top: 64, bottom: 16 },
      xAxis: {
        type: 'value',
        position: 'top',
        min: 1,
        max: k,
        interval: 1,
        axisLine: { show: true, onZero: true, lineStyle: { color: '#000' } },
        axisTick: { show: true, inside: true },
        splitLine: { show: false },
        axisLabel: { fontSize: 11 },
      },
      yAxis: {
        type: 'value',
        show: false,
        min: labelTop - ROW * (rows - 1) - ROW * 0.5,
        max: AXIS_Y + ROW * 1.4,
      },
      series,
    },
  };
}

/**
 * The critical-difference diagram as an SVG string (ECharts' server-side renderer).
 *
 * @param input - {@link CdDiagramInput}.
 * @returns SVG markup, or undefined when there is nothing to draw (see {@link cdDiagramOption}).
 * @example
 * ```ts
 * const svg = await cdDiagramSvg({ ...report.crossTask, taskCount: report.crossTask.tasks.length });
 * ```
 */
export async function cdDiagramSvg(input: CdDiagramInput): Promise<string | undefined> {
  const cd = cdDiagramOption(input);
  if (!cd) return undefined;
  return renderChart(cd.option, { width: cd.width, height: cd.height });
}
