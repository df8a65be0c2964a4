// Child process of the kill-and-resume test: runs a bench spec (argv[2], JSON) with the slow test score.
import { parseBenchSpec, runBench } from '@emms/harness';
import { builtinMetrics, createRegistry } from '@emms/metrics';
import { slowMetric } from './slow-metric.mjs';

const registry = createRegistry([...builtinMetrics, slowMetric]);
await runBench(parseBenchSpec(JSON.parse(process.argv[2])), { registry, noWrite: true });
process.stdout.write('finished\n');
