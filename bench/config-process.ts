/**
 * Benchmark: process every corpus config N times (default 20) with the fixture orbs and report
 * the median time per file and peak memory, twice: "cold" (each round's text differs by a
 * trailing comment, so the parse cache never hits) and "warm" (identical text, as when the
 * server processes the same config for many pipelines).
 * Run: node --import tsx bench/config-process.ts [N]
 */
import { processConfig, orbSourceFromFiles } from '../src/config/index.js';
import { corpusFiles, corpusPipelineValues, orbFiles } from '../test/fixtures/config/corpus-fixtures.js';

const rounds = Number(process.argv[2] ?? 20);
const files = corpusFiles();
const orbs = orbSourceFromFiles(orbFiles());
const pipelineValues = corpusPipelineValues();
// One warm-up round so JIT compilation and orb parsing are not counted as steady state.
for (const [file, source] of files) await processConfig({ source, file, pipelineValues, orbs });

let peakRss = 0;
let peakHeap = 0;

function sampleMemory(): void {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function measure(label: string, cold: boolean): Promise<void> {
  const times = new Map<string, number[]>([...files.keys()].map((f) => [f, []]));
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const [file, text] of files) {
      const source = cold ? `${text}\n# bench round ${round}\n` : text;
      const t0 = performance.now();
      await processConfig({ source, file, pipelineValues, orbs });
      times.get(file)!.push(performance.now() - t0);
      sampleMemory();
    }
  }
  const total = performance.now() - started;
  const perFile = [...times].map(([file, xs]) => ({ file, median: median(xs) })).sort((a, b) => b.median - a.median);
  console.log(`${label}: median per file ${median(perFile.map((x) => x.median)).toFixed(2)} ms, mean per file ${(total / (rounds * files.size)).toFixed(2)} ms`);
  console.log(`  slowest: ${perFile.slice(0, 3).map((x) => `${x.file} ${x.median.toFixed(2)} ms`).join(', ')}`);
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(`files: ${files.size}, rounds: ${rounds}`);
await measure('cold (YAML parsed every time)', true);
await measure('warm (parse cache hit)', false);
console.log(`peak rss: ${mb(peakRss)}, peak heapUsed: ${mb(peakHeap)}`);
