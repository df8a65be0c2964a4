// report (owner: harness-report)
export {
  type AgreementInfo,
  type BaselineInfo,
  type BenchReport,
  type BenchReportInput,
  BenchReportSchema,
  benchReportJsonSchema,
  type GroundTruthInfo,
  type IntervalInfo,
  type ModelInfo,
  parseReport,
  REPORT_ERROR_CODES,
  type ReportError,
  type ScoreInfo,
  type SweepInfo,
  type TaskReport,
} from './report/schema';
// end report
