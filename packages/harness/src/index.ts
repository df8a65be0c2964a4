// @emms/harness: benchmarks of transferability scores (ground truth, rank agreement, reports).

// ground truth and rank agreement (owner: harness-truth)
export * from './agreement';
export * from './ground-truth';
export * from './probe';
export { CD_DIAGRAM_FILE, type CdDiagramInput, cdDiagramOption, cdDiagramSvg } from './report/cd-diagram';
export {
  type CrossTaskSectionOptions,
  crossTaskSection,
  ENSEMBLE_ID,
  paperKindOf,
} from './report/cross-task-section';
export { crossTaskView, precisionBlocks } from './report/view-cross-task';
export { type RetrievalProbeOptions, type RetrievalProbeResult, retrievalProbe } from './retrieval-probe';
export {
  boxIoU,
  DEFAULT_RIDGE_GRID,
  fitRidge,
  predictRidge,
  type RegressionSplit,
  type RidgeFit,
  type RidgeProbeOptions,
  type RidgeProbeResult,
  r2Columns,
  ridgeProbe,
} from './ridge-probe';
export * from './stats';
// end ground truth and rank agreement

// report (owner: harness-report)
export { markBeatsBaselines, staticBaselines } from './report/assemble';
export {
  agreementBarsSvg,
  type ChartSize,
  renderChart,
  scoreScatterSvg,
  secondsBarsSvg,
  summaryBarsSvg,
  sweepLinesSvg,
} from './report/charts';
export { CSV_COLUMNS, type CsvRow, csvField, reportCsvRows, reportToCsv } from './report/csv';
export { escapeHtml, reportToHtml } from './report/html';
export { blocksToMarkdown, type MarkdownCharts, mdEscape, reportToMarkdown } from './report/markdown';
export {
  type AgreementInfo,
  type AlternativeInfo,
  type BaselineInfo,
  type BenchReport,
  type BenchReportInput,
  BenchReportSchema,
  benchReportJsonSchema,
  decodeCorrect,
  encodeCorrect,
  type GroundTruthInfo,
  type IntervalInfo,
  type ModelInfo,
  parseReport,
  REPORT_ERROR_CODES,
  type ReportError,
  type ScoreInfo,
  type SummaryInfo,
  type SweepInfo,
  type TaskReport,
} from './report/schema';
export { summarizeAgreement } from './report/summary';
export {
  type Block,
  type ChartRef,
  type ReportView,
  type Rich,
  reportView,
  type Span,
  type SpanStyle,
  type ViewSection,
  type ViewTable,
} from './report/view';
export { type ReportPaths, type WriteReportsOptions, writeReports } from './report/write';

// end report

// the one model-reference parser and the built-in dataset names (of @emms/feature-extractors), for packages
// that depend on the harness only
export { BUILTIN_DATASETS, type ModelRef, modelRefText, parseModelRef } from '@emms/feature-extractors';
// bench, spec, cache, rank (owner: harness-bench)
export { BENCH_CODES } from './bench/codes';
export {
  DEFAULT_EXCLUDED,
  DEFAULT_TEMPLATES,
  type DefaultBenchOptions,
  defaultBenchSpec,
  paperSuiteSpec,
} from './bench/defaults';
export {
  type FolderModel,
  listFeatureFiles,
  readFeaturesFolder,
  readFolderModel,
  readLabels,
} from './bench/features-dir';
export { modelParameterCount, onnxParameterCount } from './bench/params';
export {
  type RunBenchOptions,
  type RunBenchResult,
  runBench,
  runSettings,
  scoreRequests,
} from './bench/run';
export {
  matrixKey,
  type ScoreCandidate,
  type ScoreCandidatesInput,
  type ScoreCell,
  type ScoreRequest,
  type ScoreTable,
  scoreCandidates,
} from './bench/score-task';
export {
  OFFLINE_SUITES,
  type OfflineSuite,
  offlineSuiteSpec,
  SUITE_IMAGE_CANDIDATES,
  SUITE_TEXT_CANDIDATES,
  type SuiteTask,
  suiteTasks,
} from './bench/suite';
export { contentKey, ResultCache, sha256File, stableJson } from './cache';
export { type EnsureFolderOptions, ensureFolder } from './folders';
export { datasetModality, defaultCandidates, taskCandidates, taskTemplates } from './pipeline/defaults';
export * from './pipeline/index';
export {
  DEFAULT_BOOTSTRAP_REPS,
  type RankBootstrap,
  type RankedModel,
  type RankOptions,
  type RankResult,
  rankFeatures,
  regimeWarnings,
} from './rank';
export {
  type BenchSpec,
  type BenchSpecInput,
  BenchSpecSchema,
  parseBenchSpec,
  readBenchSpec,
  type TaskSpec,
} from './spec';
export { ArtifactStore, type CacheCounts, type StoreOptions } from './store';
// end bench

// trust without ground truth: bootstrap of rankings, Kendall's W, the ground-truth check (owner: rank-trust)
export {
  type BootstrapModel,
  type BootstrapOutcome,
  type BootstrapScore,
  type BootstrapScoresInput,
  bootstrapScores,
} from './trust/bootstrap';
export { type RankBootstrapSummary, summariseBootstrap } from './trust/bootstrap-ranks';
export {
  checkConfidentPicks,
  type TrustCheck,
  type TrustCheckOptions,
  type TrustTask,
  type TrustTaskOutcome,
  type TruthMeasure,
} from './trust/check';
export { RANK_CODES } from './trust/codes';
export { type RankScoresInput, rankScores, type ScoreRanking, type ScoreRankings } from './trust/rankings';
export { type ResampleCountsOptions, stratifiedCounts } from './trust/resample';
export {
  CONFIDENT_P_BEST,
  type KendallW,
  kendallW,
  type PBestRecommendation,
  type ResampledRanks,
  rankModels,
  recommendByPBest,
  summariseResampledRanks,
} from './trust/stats';
// end trust
