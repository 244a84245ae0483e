/** @module `kiln pipeline trigger SLUG [--branch B] [--tag T] [--parameter k=v ...] [--follow]`. */
import type { Command } from 'commander';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';
import { followPipeline } from '../follow.js';

/** Parses `k=v`; `true`/`false` and integers become booleans and numbers, as pipeline parameters expect. */
export function parseParameter(text: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const at = text.indexOf('=');
  if (at <= 0) throw new CliError(`--parameter expects name=value, got "${text}"`);
  const name = text.slice(0, at);
  const raw = text.slice(at + 1);
  const value = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
  return { ...previous, [name]: value };
}

export function registerPipelineCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const pipeline = program.command('pipeline').description('Trigger and inspect pipelines');
  pipeline.command('trigger <slug>')
    .description('Create a pipeline for a branch or tag')
    .option('--branch <branch>', 'branch to build (default: the project default branch)')
    .option('--tag <tag>', 'tag to build')
    .option('--parameter <name=value>', 'pipeline parameter (repeatable)', parseParameter, {})
    .option('--follow', 'stream job output live and exit non-zero unless every workflow succeeds')
    .action(async (slug: string, options: { branch?: string; tag?: string; parameter: Record<string, unknown>; follow?: boolean }) => {
      const client = clientFrom(env(), output);
      try {
        const created = await client.triggerPipeline(slug, { branch: options.branch, tag: options.tag, parameters: options.parameter });
        output.out(`Pipeline #${created.number} ${created.id} ${created.state}`);
        if (created.state === 'errored') {
          const details = await client.getPipeline(created.id);
          for (const error of details.errors) output.err(`${error.type} error: ${error.message}`);
          throw new CliError('The pipeline could not start', 2);
        }
        if (!options.follow) return;
        const result = await followPipeline({ client, slug, pipelineId: created.id, output });
        if (result.exitCode !== 0) {
          for (const failure of result.failures) output.err(`Failed: ${failure}`);
          throw new CliError(result.failures.length ? `${result.failures.length} job(s) did not succeed` : 'The pipeline did not succeed', result.exitCode);
        }
      } finally {
        await client.close();
      }
    });
  pipeline.command('list <slug>').description('List recent pipelines of a project').action(async (slug: string) => {
    const client = clientFrom(env(), output);
    try {
      for (const p of (await client.listPipelines(slug)).items) output.out(`#${p.number}\t${p.state}\t${p.vcs.branch ?? p.vcs.tag ?? ''}\t${p.id}`);
    } finally {
      await client.close();
    }
  });
}
