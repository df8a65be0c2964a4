/**
 * @emms/metric-pactran: PACTran-Dirichlet, PACTran-Gamma and PACTran-Gauss (Ding, Chen, Levinboim,
 * Goodman, Soricut, "PACTran: PAC-Bayesian Metrics for Estimating the Transferability of
 * Pretrained Models to Classification Tasks", ECCV 2022) as an @emms/metrics plugin.
 *
 * Load it with `emms score --plugin @emms/metric-pactran --metrics pactran-gauss ...`, or in code
 * with `loadPlugin(await import('@emms/metric-pactran'), '@emms/metric-pactran')`.
 */
import { plugin } from './plugin';

export type { LbfgsOptions, LbfgsResult, LbfgsStop, Objective } from '@emms/metric-spec';
export { minimizeLbfgs } from '@emms/metric-spec';
export type { DiscretePactranOptions, DiscretePactranResult } from './discrete';
export { pactranDirichlet, pactranGamma } from './discrete';
export type { GaussPactranOptions, GaussPactranResult } from './gauss';
export { pactranGauss } from './gauss';
export {
  metrics,
  pactranDirichletMetric,
  pactranGammaMetric,
  pactranGaussMetric,
  plugin,
  referenceComponents,
} from './plugin';
export { digamma, logGamma } from './special';

export default plugin;
