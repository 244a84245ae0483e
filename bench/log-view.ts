/**
 * Benchmark: the job page with a 1,000,000-line log. Measures the time from navigation until
 * the last screen of the log is visible (tail-first loading), until the whole log is held
 * (background backfill), the cost of scrolling (render time of random jumps), and the tab's
 * JS heap (CDP Performance.getMetrics JSHeapUsedSize).
 *
 * Run: node --import tsx bench/log-view.ts [lines]   (needs /usr/bin/chromium; no Docker)
 */
import { apiCall, launchBrowser, makeRepo, newPage, signInWithPassword, startKiln } from '../test/browser/harness.js';

const LINES = Number(process.argv[2] ?? 1_000_000);
const CHUNK_BYTES = 64 * 1024;

function line(i: number): string {
  if (i % 1000 === 0) return `\u001b[1;32m==> checkpoint ${i}\u001b[0m see https://example.com/builds/${i}`;
  return `line ${i} compiling module_${i % 97}.ts ok`;
}

async function main(): Promise<void> {
  const kiln = await startKiln({ runner: false });
  try {
    const repo = makeRepo('version: 2.1\njobs:\n  build:\n    docker: [{ image: kiln-test/bash:1 }]\n    steps:\n      - run: echo hi\nworkflows:\n  main:\n    jobs: [build]\n');
    const project = await apiCall<{ slug: string; id: string }>(kiln, { method: 'POST', path: '/api/v2/project', body: { name: 'bench', repo_url: repo, default_branch: 'main' } });
    await apiCall(kiln, { method: 'POST', path: `/api/v2/project/${project.body.slug}/pipeline`, body: { branch: 'main' } });
    const { repos, logs } = kiln.server.services;
    const job = await repos.jobs.getByNumber(project.body.id, 1);
    const task = (await repos.tasks.listByJob(job!.id))[0]!;

    const started = Date.now();
    let seq = 0;
    let buffer = '';
    let bytes = 0;
    const chunks: Array<{ seq: number; stepIndex: number; data: string }> = [];
    for (let i = 1; i <= LINES; i++) {
      buffer += line(i) + '\n';
      if (buffer.length >= CHUNK_BYTES || i === LINES) {
        chunks.push({ seq: seq++, stepIndex: 0, data: buffer });
        bytes += buffer.length;
        buffer = '';
        if (chunks.length === 100 || i === LINES) await logs.append(task.id, chunks.splice(0));
      }
    }
    console.log(`log: ${LINES.toLocaleString()} lines, ${(bytes / 1e6).toFixed(1)} MB in ${seq} chunks (written in ${Date.now() - started} ms)`);

    const browser = await launchBrowser();
    const { context, page } = await newPage(browser);
    await signInWithPassword(page, kiln.url);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
      const { metrics } = await cdp.send('Performance.getMetrics');
      return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1e6;
    };
    const url = `${kiln.url}/${project.body.slug}/jobs/1`;
    const results: Record<string, number> = {};
    for (const run of [1, 2]) {
      const t0 = Date.now();
      await page.goto(url);
      await page.locator('.log-line', { hasText: `line ${LINES - 1} compiling` }).waitFor({ timeout: 60_000 });
      const lastScreen = Date.now() - t0;
      await page.getByTestId('log-state').filter({ hasText: `${LINES.toLocaleString('en-US')} lines` }).filter({ hasNotText: 'earlier' }).waitFor({ timeout: 120_000 });
      const whole = Date.now() - t0;
      console.log(`run ${run}: last screen visible after ${lastScreen} ms; whole log held after ${whole} ms`);
      results.lastScreen = lastScreen;
      results.whole = whole;
    }
    results.heapMb = await heap();
    // Scrolling: jump to 200 random positions and time each until the next frame is painted.
    const scroll = await page.getByTestId('log-scroller').evaluate(async (element) => {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        element.scrollTop = Math.random() * (element.scrollHeight - element.clientHeight);
        element.dispatchEvent(new Event('scroll'));
        // Runs in the page (DOM types are not in the root tsconfig).
        const frame = (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame;
        await new Promise<void>((resolve) => frame(() => frame(resolve)));
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return { median: times[100]!, p95: times[190]!, max: times[199]! };
    });
    const rendered = await page.locator('.log-line').count();
    console.log(`scroll jumps (200 random, until 2 frames): median ${scroll.median.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms, max ${scroll.max.toFixed(1)} ms; ${rendered} line rows in the DOM`);
    console.log(`JS heap used (after GC): ${results.heapMb!.toFixed(1)} MB`);
    await browser.close();
  } finally {
    await kiln.stop();
  }
}

await main();
