/**
 * The report's charts as SVG strings, drawn by ECharts' server-side renderer (`ssr: true`,
 * `renderToSVGString`): no DOM, no script in the page, no hand-assembled SVG.
 *
 * ECharts is loaded on first use (`import('echarts')`), so importing `@emms/harness` for anything other
 * than HTML reports does not pay for it; every chart function is therefore async.
 */
import type { EChartsOption } from 'echarts';
import { fmtFixed, fmtValue, modelLabel, scoreSeconds } from './format';
import type { SummaryInfo, TaskReport } from './schema';

/** Size of a chart in CSS pixels. */
export interface ChartSize {
  width: number;
  height: number;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const SCORE_COLOUR = '#3b6fb6';
const BASELINE_COLOUR = '#9a9a9a';
const LOSER_COLOUR = '#c8553d';
const WARN_COLOUR = '#d08c00';

type EChartsModule = typeof import('echarts');
let echartsModule: Promise<EChartsModule> | undefined;

/** Loads ECharts once (the module is large; only HTML rendering needs it). */
function loadECharts(): Promise<EChartsModule> {
  echartsModule ??= import('echarts');
  return echartsModule;
}

/**
 * Renders one ECharts option to an SVG string server-side and frees the chart.
 *
 * @param option - an ECharts option (animation is switched off).
 * @param size - width and height in pixels.
 * @returns the `<svg …>…</svg>` markup.
 * @example
 * ```ts
 * const svg = await renderChart({ xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [] }, { width: 300, height: 200 });
 * ```
 */
export async function renderChart(option: EChartsOption, size: ChartSize): Promise<string> {
  const echarts = await loadECharts();
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * Explicit axis bounds only when every value is the same (ECharts would draw a zero-width range);
 * otherwise none, and ECharts picks round bounds around the data (`scale: true`).
 */
function axisRange(values: number[]): { min?: number; max?: number } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (min !== max) return {};
  const d = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
  return { min: min - d, max: max + d };
}

/**
 * Scatter of one score against one ground truth, one named point per model.
 *
 * @param task - the task.
 * @param scoreId - a key of `task.scores`.
 * @param truthId - a key of `task.groundTruth`.
 * @param size - chart size in pixels.
 * @returns SVG markup, or undefined when fewer than three models have both values.
 * @example
 * ```ts
 * const svg = await scoreScatterSvg(report.tasks[0], 'emms', 'linear-probe');
 * ```
 */
export async function scoreScatterSvg(
  task: TaskReport,
  scoreId: string,
  truthId: string,
  size: ChartSize = { width: 420, height: 300 },
): Promise<string | undefined> {
  const score = task.scores[scoreId];
  const truth = task.groundTruth[truthId];
  if (!score || !truth) return undefined;
  const points = Object.keys(score.values)
    .filter((id) => truth.values[id] !== undefined)
    .map((id) => ({
      name: modelLabel(task, id),
      value: [score.values[id]!, truth.values[id]!],
      warned: score.warnings[id] !== undefined,
    }));
  if (points.length < 3) return undefined; // two points always line up: no picture of agreement
  const a = task.agreement[truthId]?.[scoreId];
  const x = axisRange(points.map((p) => p.value[0]!));
  const y = axisRange(points.map((p) => p.value[1]!));
  return renderChart(
    {
      title: {
        text: `${scoreId} vs ${truthId}`,
        subtext: a ? `weighted τ ${fmtFixed(a.weightedTau)}` : '',
        left: 'center',
        textStyle: { fontSize: 13 },
        subtextStyle: { fontSize: 11 },
      },
      grid: { left: 58, right: 100, top: 56, bottom: 44 },
      xAxis: {
        type: 'value',
        name: `${scoreId}${score.higherIsBetter ? '' : ' (lower is better)'}`,
        nameLocation: 'middle',
        nameGap: 26,
        scale: true,
        ...x,
        axisLabel: { formatter: (v: number) => fmtValue(v), hideOverlap: true },
        axisLine: { onZero: false },
        splitLine: { lineStyle: { color: '#eee' } },
      },
      yAxis: {
        type: 'value',
        name: truthId,
        nameLocation: 'middle',
        nameGap: 44,
        scale: true,
        ...y,
        axisLabel: { formatter: (v: number) => fmtValue(v), hideOverlap: true },
        axisLine: { onZero: false },
        splitLine: { lineStyle: { color: '#eee' } },
      },
      series: [
        {
          type: 'scatter',
          symbolSize: 9,
          data: points.map((p) => ({
            name: p.name,
            value: p.value,
            itemStyle: { color: p.warned ? WARN_COLOUR : SCORE_COLOUR },
          })),
          label: { show: true, position: 'right', formatter: '{b}', fontSize: 10, color: '#333' },
          labelLayout: { hideOverlap: true },
        },
      ],
    },
    size,
  );
}

/**
 * Horizontal bar chart of every ranking's weighted τ against one ground truth, with the bootstrap
 * interval drawn as an error bar (an ECharts custom series). Baselines are grey, scores that do not
 * beat them are red.
 *
 * @param task - the task.
 * @param truthId - a key of `task.agreement`.
 * @param width - chart width in pixels (the height follows the number of rows).
 * @returns SVG markup, or undefined when there are no agreement figures.
 * @example
 * ```ts
 * const svg = await agreementBarsSvg(report.tasks[0], 'linear-probe');
 * ```
 */
export async function agreementBarsSvg(
  task: TaskReport,
  truthId: string,
  width = 640,
): Promise<string | undefined> {
  const rows = task.agreement[truthId];
  if (!rows) return undefined;
  const ids = Object.keys(rows).sort((p, q) => {
    const kp = rows[p]!.kind === 'baseline' ? 1 : 0;
    const kq = rows[q]!.kind === 'baseline' ? 1 : 0;
    return kp - kq || rows[q]!.weightedTau - rows[p]!.weightedTau;
  });
  if (ids.length === 0) return undefined;
  // Category axes list from the bottom up; reverse so the best score is on top.
  const order = [...ids].reverse();
  const intervals = order.map((id, i) => {
    const iv = rows[id]!.weightedTauInterval;
    return iv ? [i, iv.low, iv.high] : undefined;
  });
  return renderChart(
    {
      title: { text: `Weighted τ against ${truthId}`, left: 'center', textStyle: { fontSize: 13 } },
      grid: { left: 150, right: 30, top: 36, bottom: 32 },
      xAxis: {
        type: 'value',
        min: -1,
        max: 1,
        interval: 0.5,
        splitLine: { lineStyle: { color: '#eee' } },
      },
      yAxis: {
        type: 'category',
        data: order.map((id) => `${id}  ${fmtFixed(rows[id]!.weightedTau)}`),
        axisTick: { show: false },
      },
      series: [
        {
          type: 'bar',
          barWidth: '55%',
          data: order.map((id) => {
            const a = rows[id]!;
            const colour =
              a.kind === 'baseline'
                ? BASELINE_COLOUR
                : a.beatsBaselines === false
                  ? LOSER_COLOUR
                  : SCORE_COLOUR;
            return { value: Number(a.weightedTau.toFixed(6)), itemStyle: { color: colour } };
          }),
        },
        {
          type: 'custom',
          data: intervals.filter((v): v is number[] => v !== undefined),
          encode: { x: [1, 2], y: 0 },
          z: 10,
          renderItem: (_params, api) => {
            const index = api.value(0) as number;
            const lo = api.coord([api.value(1), index]);
            const hi = api.coord([api.value(2), index]);
            const band = api.size ? (api.size([0, 1]) as number[])[1]! : 10;
            const cap = band * 0.25;
            const style = { stroke: '#222', lineWidth: 1.5 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
                { type: 'line', shape: { x1: lo[0], y1: lo[1]! - cap, x2: lo[0], y2: lo[1]! + cap }, style },
                { type: 'line', shape: { x1: hi[0], y1: hi[1]! - cap, x2: hi[0], y2: hi[1]! + cap }, style },
              ],
            };
          },
        },
      ],
    },
    { width, height: 70 + 26 * ids.length },
  );
}

/**
 * Horizontal bar chart of the total seconds each score took on a task (all models).
 *
 * @param task - the task.
 * @param width - chart width in pixels.
 * @returns SVG markup, or undefined when the task has no scores.
 * @example
 * ```ts
 * const svg = await secondsBarsSvg(report.tasks[0]);
 * ```
 */
export async function secondsBarsSvg(task: TaskReport, width = 640): Promise<string | undefined> {
  const ids = Object.keys(task.scores).sort((p, q) => scoreSeconds(task, p) - scoreSeconds(task, q));
  if (ids.length === 0) return undefined;
  return renderChart(
    {
      title: { text: 'Seconds per score (all models)', left: 'center', textStyle: { fontSize: 13 } },
      grid: { left: 120, right: 60, top: 36, bottom: 44 },
      xAxis: {
        type: 'value',
        name: 'seconds',
        nameLocation: 'middle',
        nameGap: 24,
        splitLine: { lineStyle: { color: '#eee' } },
      },
      yAxis: { type: 'category', data: ids, axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          barWidth: '55%',
          itemStyle: { color: SCORE_COLOUR },
          data: ids.map((id) => Number(scoreSeconds(task, id).toPrecision(6))),
          label: {
            show: true,
            position: 'right',
            formatter: (p: { value: unknown }) => fmtValue(Number(p.value)),
            fontSize: 10,
          },
        },
      ],
    },
    { width, height: 84 + 24 * ids.length },
  );
}

/**
 * Line chart of the train-size sweep: each score's weighted τ against the train items per class, with a
 * marker where the train size N equals the widest feature dimension D.
 *
 * @param task - the task (its `sweep` is drawn).
 * @param size - chart size in pixels.
 * @returns SVG markup, or undefined when the task has no sweep.
 * @example
 * ```ts
 * const svg = await sweepLinesSvg(report.tasks[0]);
 * ```
 */
export async function sweepLinesSvg(
  task: TaskReport,
  size: ChartSize = { width: 640, height: 340 },
): Promise<string | undefined> {
  const sw = task.sweep;
  if (!sw) return undefined;
  const ids = [...new Set(sw.points.flatMap((p) => Object.keys(p.scores)))];
  const points = [...sw.points].sort((p, q) => p.trainPerClass - q.trainPerClass);
  const classes = task.split?.classes.length ?? (points[0] ? points[0].nTrain / points[0].trainPerClass : 1);
  const crossing = sw.maxFeatureDim !== undefined ? sw.maxFeatureDim / classes : undefined;
  const xs = points.map((p) => p.trainPerClass);
  const showCrossing = crossing !== undefined && crossing >= Math.min(...xs) && crossing <= Math.max(...xs);
  return renderChart(
    {
      title: {
        text: `Weighted τ against ${sw.truth} by train size`,
        left: 'center',
        textStyle: { fontSize: 13 },
      },
      legend: { type: 'plain', bottom: 0, textStyle: { fontSize: 10 } },
      grid: { left: 60, right: 30, top: 48, bottom: 70 },
      xAxis: {
        type: 'value',
        name: 'train items per class',
        nameLocation: 'middle',
        nameGap: 26,
        min: 0,
        splitLine: { lineStyle: { color: '#eee' } },
      },
      yAxis: {
        type: 'value',
        min: -1,
        max: 1,
        name: 'weighted τ',
        nameLocation: 'middle',
        nameGap: 36,
        splitLine: { lineStyle: { color: '#eee' } },
      },
      series: ids.map((id, i) => ({
        type: 'line' as const,
        name: id,
        symbolSize: 6,
        data: points.filter((p) => p.scores[id]).map((p) => [p.trainPerClass, p.scores[id]!.weightedTau]),
        ...(i === 0 && showCrossing
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                lineStyle: { type: 'dashed' as const, color: '#888' },
                label: { formatter: `N = D = ${sw.maxFeatureDim}`, position: 'insideEndTop', fontSize: 10 },
                data: [{ xAxis: Number(crossing!.toPrecision(6)) }],
              },
            }
          : {}),
      })),
    },
    size,
  );
}

/**
 * Grouped horizontal bars of a summary: each ranking's mean weighted τ over the tasks, and the
 * published value beside it where one is given.
 *
 * @param summary - one entry of `report.summaries`.
 * @param width - chart width in pixels (the height follows the number of rows).
 * @returns SVG markup.
 * @example
 * ```ts
 * const svg = await summaryBarsSvg(report.summaries[0]);
 * ```
 */
export async function summaryBarsSvg(summary: SummaryInfo, width = 640): Promise<string> {
  const ids = summaryIds(summary);
  const order = [...ids].reverse();
  const published = summary.published?.values ?? {};
  return renderChart(
    {
      title: { text: summary.description, left: 'center', textStyle: { fontSize: 13 } },
      legend: { bottom: 0, textStyle: { fontSize: 10 } },
      grid: { left: 120, right: 30, top: 36, bottom: 56 },
      xAxis: { type: 'value', min: -1, max: 1, interval: 0.5, splitLine: { lineStyle: { color: '#eee' } } },
      yAxis: { type: 'category', data: order, axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          name: 'this run',
          itemStyle: { color: SCORE_COLOUR },
          data: order.map((id) => {
            const v = summary.meanWeightedTau[id];
            return v === undefined
              ? { value: 0, itemStyle: { opacity: 0 } }
              : {
                  value: Number(v.toFixed(6)),
                  itemStyle: { color: summary.kinds[id] === 'baseline' ? BASELINE_COLOUR : SCORE_COLOUR },
                };
          }),
        },
        ...(summary.published
          ? [
              {
                type: 'bar' as const,
                name: 'published',
                itemStyle: { color: '#e2a33a' },
                data: order.map((id) => {
                  const v = published[id];
                  return v === undefined ? { value: 0, itemStyle: { opacity: 0 } } : Number(v.toFixed(6));
                }),
              },
            ]
          : []),
      ],
    },
    { width, height: 100 + (summary.published ? 34 : 24) * ids.length },
  );
}

/**
 * Ranking ids of a summary in display order: measured scores, scores only published, then baselines.
 *
 * @param summary - one entry of `report.summaries`.
 * @returns ranking ids.
 * @example
 * ```ts
 * summaryIds(report.summaries[0]); // ['emms', 'leep', …, 'feature-dim']
 * ```
 */
export function summaryIds(summary: SummaryInfo): string[] {
  const measured = Object.keys(summary.meanWeightedTau);
  const scores = measured.filter((id) => summary.kinds[id] !== 'baseline');
  const baselines = measured.filter((id) => summary.kinds[id] === 'baseline');
  const onlyPublished = Object.keys(summary.published?.values ?? {}).filter((id) => !measured.includes(id));
  return [...scores, ...onlyPublished, ...baselines];
}
