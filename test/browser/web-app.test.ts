/**
 * Browser tests of the web app against a real Kiln server with a Docker runner: sign-in,
 * triggering a pipeline and watching the log stream, the job graph, approval, environment
 * variables, the audit page's refusal for members, and that log content never executes.
 * Screenshots of the main pages go to .test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Paged, Pipeline, Project, Workflow, WorkflowJob } from '../../src/api/resources.js';
import { WEB_CONTENT_SECURITY_POLICY } from '../../src/server/web/web-app.js';
import { ADMIN_EMAIL, ADMIN_TOKEN, addUser, apiCall, launchBrowser, makeRepo, newPage, screenshot, SCREENSHOTS, signInWithPassword, signInWithToken, startKiln, type Harness } from './harness.js';
import { waitFor } from '../support/wait.js';

const CONFIG = `version: 2.1
parameters:
  verbose:
    type: boolean
    default: false
jobs:
  build:
    docker: [{ image: kiln-test/bash:1 }]
    steps:
      - run:
          name: Count slowly
          command: |
            for i in $(seq 1 50); do echo "line $i see https://example.com/docs?i=$i"; sleep 0.12; done
            printf '\\033[32mgreen ok\\033[0m and \\033[1;31mbold red\\033[0m\\n'
      - run:
          name: Finish
          command: echo done
  evil:
    docker: [{ image: kiln-test/bash:1 }]
    steps:
      - run:
          name: Print hostile output
          command: |
            printf '%s\\n' '<script>window.__pwned = "script"</script>'
            printf '%s\\n' '<img src=x onerror="window.__pwned = 1">'
            printf '\\033]8;;javascript:window.__pwned=1\\033\\\\osc8 link\\033]8;;\\033\\\\\\n'
            printf '\\033[31m<b onmouseover="window.__pwned=2">red</b>\\033[0m javascript:alert(1)\\n'
            printf 'title\\033]0;<svg onload=alert(1)>\\007 after\\n'
  deploy:
    docker: [{ image: kiln-test/bash:1 }]
    steps:
      - run: echo deployed
workflows:
  main:
    jobs:
      - build
      - evil
      - hold:
          type: approval
          requires: [build]
      - deploy:
          requires: [hold]
`;

let kiln: Harness;
let browser: Browser;
let project: Project;
let repoDir: string;

async function workflowJobs(pipelineId: string): Promise<{ workflow: Workflow; jobs: WorkflowJob[] }> {
  const workflows = await apiCall<Paged<Workflow>>(kiln, { method: 'GET', path: `/api/v2/pipeline/${pipelineId}/workflow` });
  const workflow = workflows.body.items[0]!;
  const jobs = await apiCall<Paged<WorkflowJob>>(kiln, { method: 'GET', path: `/api/v2/workflow/${workflow.id}/job` });
  return { workflow, jobs: jobs.body.items };
}

async function signedInPage(token?: string): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await newPage(browser);
  if (token) await signInWithToken(page, kiln.url, token);
  else await signInWithPassword(page, kiln.url);
  return { page, problems };
}

describe('web app', { timeout: 300_000 }, () => {
  before(async () => {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    kiln = await startKiln();
    browser = await launchBrowser();
    repoDir = makeRepo(CONFIG);
    const created = await apiCall<Project>(kiln, { method: 'POST', path: '/api/v2/project', body: { name: 'demo', repo_url: repoDir, default_branch: 'main' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    project = created.body;
    console.log(`screenshots: ${SCREENSHOTS}`);
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
    if (repoDir) rmSync(repoDir, { recursive: true, force: true });
  });

  test('HTML answers carry the strict CSP; unknown API paths stay JSON 404s; SPA paths get the shell', async () => {
    const page = await fetch(`${kiln.url}/${project.slug}/jobs/1`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), WEB_CONTENT_SECURITY_POLICY);
    assert.match(await page.text(), /<div id="root">/);
    const api = await fetch(`${kiln.url}/api/v2/nothing-here`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { code: string }).code, 'not_found');
    const traversal = await fetch(`${kiln.url}/assets/..%2f..%2fpackage.json`);
    assert.notEqual(traversal.status, 200);
  });

  test('sign in with email and password (cookie session, live WebSocket), sign out', async () => {
    const { page, problems } = await newPage(browser);
    await page.goto(kiln.url + '/');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    await signInWithPassword(page, kiln.url);
    assert.match(await page.getByTestId('current-user').innerText(), /admin@localhost/);
    // The session is a cookie, so the WebSocket authenticates too.
    await page.locator('.live-dot.live-open').waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    await page.reload();
    await page.getByLabel('API token').waitFor();
    assert.deepEqual(problems, []);
  });

  test('sign in with a token; a wrong token is refused', async () => {
    const { page, problems } = await newPage(browser);
    await page.goto(kiln.url + '/');
    await page.getByLabel('API token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await page.getByText('That token was not accepted.').waitFor();
    await screenshot(page, '01-sign-in');
    await page.getByLabel('API token').fill('t');
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await page.getByTestId('current-user').waitFor();
    assert.match(await page.getByTestId('current-user').innerText(), /admin@localhost/);
    await page.getByRole('link', { name: 'demo' }).waitFor();
    await screenshot(page, '02-projects');
    assert.deepEqual(problems, []);
  });

  test('trigger a pipeline with a parameter, watch the list update and the log stream live', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${kiln.url}/${project.slug}`);
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    // A pipeline triggered elsewhere appears without a reload.
    const other = await apiCall<{ number: number }>(kiln, { method: 'POST', path: `${'/api/v2/project/' + project.slug}/pipeline`, body: { branch: 'main' } });
    await page.getByTestId(`pipeline-${other.body.number}`).waitFor({ timeout: 15_000 });

    await page.getByRole('button', { name: 'Trigger pipeline' }).click();
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.getByLabel('parameter name').fill('verbose');
    await page.getByLabel('parameter value').fill('true');
    await page.getByRole('button', { name: 'Run pipeline' }).click();
    await page.waitForURL(/\/pipelines\//);
    const pipelineId = page.url().split('/pipelines/')[1]!;
    const pipeline = await apiCall<Pipeline>(kiln, { method: 'GET', path: `/api/v2/pipeline/${pipelineId}` });
    assert.deepEqual(pipeline.body.trigger_parameters, { verbose: true });

    await page.getByTestId('graph-node-build').waitFor();
    await page.getByTestId('graph-node-deploy').waitFor();
    // Wait for build to have a number (it is queued or running), then open its page.
    const build = await waitFor('build job number', async () => (await workflowJobs(pipelineId)).jobs.find((j) => j.name === 'build' && j.job_number));
    await page.goto(`${kiln.url}/${project.slug}/jobs/${build.job_number}`);
    await page.getByTestId('job-status').waitFor();
    // The log grows while the job runs.
    const firstCount = await waitFor('first log lines', async () => {
      const n = await page.locator('.log-line').count();
      return n > 0 ? n : undefined;
    }, { timeoutMs: 60_000 });
    const lineCount = async () => Number((await page.getByTestId('log-state').innerText()).replace(/[^0-9]/g, '') || 0);
    const before = await lineCount();
    await waitFor('more log lines', async () => ((await lineCount()) > before + 3 ? true : undefined), { timeoutMs: 30_000 });
    assert.ok(firstCount > 0);
    assert.match(await page.getByTestId('log-state').innerText(), /live/);
    await page.getByText('green ok').waitFor({ timeout: 60_000 });
    // ANSI colours became classes; URLs became links.
    assert.equal(await page.locator('.log-line .a-fg2', { hasText: 'green ok' }).count(), 1);
    assert.ok(await page.locator('.log-line .a-bold.a-fg1', { hasText: 'bold red' }).count() >= 1);
    assert.ok((await page.locator('.log-line a[href^="https://example.com/docs"]').count()) > 0);
    await page.getByTestId('job-status').filter({ hasText: 'success' }).waitFor({ timeout: 60_000 });
    // Steps are sections that collapse.
    await page.getByTestId('log-scroller').evaluate((element) => { element.scrollTop = 0; });
    const step = page.locator('.log-step', { hasText: 'Count slowly' });
    await step.waitFor();
    await screenshot(page, '04-job-log');
    const visibleBefore = await page.locator('.log-line').count();
    await step.click();
    assert.equal(await step.getAttribute('aria-expanded'), 'false');
    assert.ok((await page.locator('.log-line').count()) < visibleBefore);
    await step.click();
    // Search finds lines and jumps to them.
    await page.getByLabel('Search the log').fill('line 7 ');
    await page.getByRole('button', { name: 'Next' }).click();
    assert.match(await page.getByTestId('search-count').innerText(), /1 of 1/);
    await page.locator('.log-focus', { hasText: 'line 7 see' }).waitFor();
    // Raw download.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download raw log' }).click()]);
    const stream = await download.createReadStream();
    let raw = '';
    for await (const piece of stream) raw += String(piece);
    assert.match(raw, /line 50 see/);
    assert.ok(raw.includes('\u001b[32mgreen ok'), 'the raw log keeps its escape codes');
    assert.deepEqual(problems, []);
  });

  test('the pipeline page draws the job graph; approving the hold job lets deploy run', async () => {
    const { page, problems } = await signedInPage();
    const list = await apiCall<Paged<Pipeline>>(kiln, { method: 'GET', path: `/api/v2/project/${project.slug}/pipeline` });
    const pipelineId = list.body.items.find((p) => p.trigger_parameters.verbose === true)!.id;
    await waitFor('approval on hold', async () => (await workflowJobs(pipelineId)).jobs.find((j) => j.name === 'hold' && j.status === 'on_hold'), { timeoutMs: 90_000 });
    await page.goto(`${kiln.url}/${project.slug}/pipelines/${pipelineId}`);
    await page.getByTestId('graph-node-hold').waitFor();
    assert.equal(await page.locator('.graph-edge').count(), 2); // build → hold → deploy
    await screenshot(page, '03-pipeline-graph');
    await page.getByTestId('job-row-hold').getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('job-row-hold').getByText(/success|approved/).waitFor({ timeout: 30_000 });
    const deploy = await waitFor('deploy to run after the approval', async () => (await workflowJobs(pipelineId)).jobs.find((j) => j.name === 'deploy' && j.status === 'success'), { timeoutMs: 90_000 });
    assert.equal(deploy.status, 'success');
    const approved = (await workflowJobs(pipelineId)).jobs.find((j) => j.name === 'hold')!;
    assert.equal(approved.status, 'success');
    assert.ok(approved.approved_by, 'the approver is recorded');
    assert.deepEqual(problems, []);
  });

  test('environment variables: add one and see it masked (or an honest notice)', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${kiln.url}/${project.slug}/settings`);
    const section = page.getByTestId('resource-Environment variables');
    await section.waitFor();
    const probe = await apiCall(kiln, { method: 'GET', path: `/api/v2/project/${project.slug}/envvar` });
    if (probe.status === 404) {
      await section.getByTestId('not-available').waitFor();
      assert.match(await section.innerText(), /not available on this server yet/);
    } else {
      await section.getByLabel('Name').fill('SECRET_TOKEN');
      await section.getByLabel('Value').fill('s3cr3t-value-123');
      await section.getByRole('button', { name: 'Add variable' }).click();
      await section.getByText('SECRET_TOKEN').waitFor();
      assert.equal(await section.getByTestId('masked').first().innerText(), '••••••••');
      assert.ok(!(await page.content()).includes('s3cr3t-value-123'));
    }
    await screenshot(page, '05-project-settings');
    await page.goto(`${kiln.url}/settings/contexts`);
    await page.getByTestId('resource-Contexts').waitFor();
    await page.getByTestId('resource-Contexts').locator('.notice, table, .empty').first().waitFor();
    await screenshot(page, '06-org-settings');
    assert.deepEqual(problems, []);
  });

  test('the audit page: refused to a member; admins get the page or an honest notice', async () => {
    await addUser(kiln, { email: 'member@example.com', role: 'member', token: 'member-token' });
    const member = await signedInPage('member-token');
    await member.page.goto(`${kiln.url}/audit`);
    await member.page.getByTestId('audit-refused').waitFor();
    assert.equal(await member.page.getByRole('link', { name: 'Audit log' }).count(), 0);
    const asMember = await apiCall(kiln, { method: 'GET', path: '/api/v2/audit-log', token: 'member-token' });
    assert.ok([403, 404].includes(asMember.status), `member got ${asMember.status} from the audit API`);

    const admin = await signedInPage();
    await admin.page.goto(`${kiln.url}/audit`);
    await admin.page.getByTestId('audit-table').or(admin.page.getByTestId('not-available')).or(admin.page.locator('.empty')).waitFor();
    await screenshot(admin.page, '07-audit');
    assert.deepEqual([...member.problems, ...admin.problems], []);
  });

  test('log content never executes: scripts, event handlers, OSC links and titles stay text', async () => {
    const { page, problems } = await signedInPage(ADMIN_TOKEN);
    const list = await apiCall<Paged<Pipeline>>(kiln, { method: 'GET', path: `/api/v2/project/${project.slug}/pipeline` });
    const pipelineId = list.body.items[0]!.id;
    const evil = await waitFor('evil job done', async () => (await workflowJobs(pipelineId)).jobs.find((j) => j.name === 'evil' && j.status === 'success'), { timeoutMs: 90_000 });
    await page.goto(`${kiln.url}/${project.slug}/jobs/${evil.job_number}`);
    await page.getByText('<script>window.__pwned = "script"</script>').waitFor();
    await page.getByText('<img src=x onerror="window.__pwned = 1">').waitFor();
    const red = page.locator('.log-line .a-fg1', { hasText: '<b onmouseover="window.__pwned=2">red</b>' });
    await red.hover();
    await page.getByText('osc8 link').waitFor();
    await page.getByText('title after').waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('.log-scroller script, .log-scroller img, .log-scroller b, .log-scroller svg').count(), 0);
    const hrefs = await page.locator('.log-scroller a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.every((href) => href?.startsWith('https://') || href?.startsWith('http://')), `unexpected links: ${hrefs.join(', ')}`);
    assert.equal(await page.title(), 'Kiln');
    await screenshot(page, '08-hostile-log');
    assert.deepEqual(problems, []);
  });
});
