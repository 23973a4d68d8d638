/**
 * `npm run bench`: every benchmark, each printing the baseline it measured in the same run and the ratio.
 * Loopback only, bounded in count, stops by itself.
 */
import { aggregatorBench } from './aggregatorBench.js';
import { endpointBench } from './endpointBench.js';
import { gatewayBench } from './gatewayBench.js';
import { lakeBench } from './lakeBench.js';
import { queryBench } from './queryBench.js';
import { runtimeBench } from './runtimeBench.js';
import { tablesBench } from './tablesBench.js';

console.log(`Tributary benchmarks — node ${process.version}, ${new Date().toISOString()}`);
await runtimeBench();
await endpointBench();
await gatewayBench();
await aggregatorBench();
await lakeBench();
await queryBench();
await tablesBench();
