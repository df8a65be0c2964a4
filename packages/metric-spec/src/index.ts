export {
  type LbfgsOptions,
  type LbfgsResult,
  type LbfgsStop,
  minimizeLbfgs,
  type Objective,
} from './lbfgs';
