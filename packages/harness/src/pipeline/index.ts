// The pipeline's public surface: steps, runner, executors, task kinds.
export {
  type ArtifactRef,
  ArtifactRefSchema,
  errorInfo,
  PIPELINE_VERSION,
  type RecordRef,
  readRecord,
  stepKey,
} from './artifacts';
export { balancedSplit, CLASSIFIER_OUTPUTS, pixelFeatures } from './dataset';
export { type InProcessExecutorOptions, inProcessExecutor } from './executors/inprocess';
export { type ThreadsExecutorOptions, threadsExecutor } from './executors/threads';
export {
  type CandidateCall,
  datasetKind,
  featuresKind,
  kindOf,
  type PlanContext,
  type TaskKind,
} from './kinds';
export { assertSomethingScored, buildReport, type RunFacts } from './report';
export { type PipelineResult, type RunPipelineOptions, runPipeline } from './run-pipeline';
export { registryWithPlugins, type ScorerRecipe, type ScorerSource, scorerFrom } from './scorer';
export { type AgreementResult, agreementRows, agreementStep } from './steps/agreement';
export { type AssembleInput, AssembleInputSchema, assembleStep } from './steps/assemble';
export { type ExtractInput, ExtractInputSchema, type ExtractResult, extractStep } from './steps/extract';
export { type FlabelsInput, FlabelsInputSchema, type FlabelsResult, flabelsStep } from './steps/flabels';
export { parseStepCall, runStep, STEPS, type StepDefinition } from './steps/index';
export { type ScoreInput, ScoreInputSchema, type ScoreResult, scoreStep } from './steps/score';
export { type SplitInput, SplitInputSchema, type SplitResult, splitStep } from './steps/split';
export { type TaskInput, TaskInputSchema } from './steps/task-input';
export {
  PROBE_KINDS,
  type ProbeCell,
  type TruthInput,
  TruthInputSchema,
  type TruthResult,
  truthStep,
} from './steps/truth';
export {
  type Executor,
  type ExecutorHooks,
  STEP_NAMES,
  type StepCall,
  type StepContext,
  type StepError,
  type StepName,
  type StepOutcome,
  type StepScorer,
} from './types';
export { candidateOf, taskIdOf, type ValidateSpecOptions, validateSpec } from './validate';
