/** @module `kiln config validate|process FILE [--orb-dir DIR]`: offline, no server needed. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { expandConfig, orbSourceFromFiles, validateConfig, type ConfigProblem, type OrbSource, type PipelineValues } from '../../config/index.js';
import { CliError, type Output } from '../cli-context.js';

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function orbDirSource(dir: string | undefined): OrbSource | undefined {
  if (!dir) return undefined;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.orb.yml'));
  } catch (error) {
    throw new CliError(`Cannot read --orb-dir ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return orbSourceFromFiles(new Map(names.map((n) => [n, readFileSync(join(dir, n), 'utf8')])));
}

function parseJsonOption(name: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`${name} must be a JSON object: ${(error as Error).message}`);
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.severity === 'warning' ? 'warning: ' : ''}${problem.message}${problem.path ? ` (${problem.path})` : ''}`;
}

export function registerConfigCommands(program: Command, output: Output): void {
  const config = program.command('config').description('Validate and process CircleCI configs offline');
  config.command('validate <file>')
    .description('Check a config; prints file:line:column message for each problem')
    .option('--orb-dir <dir>', 'read orbs from NAMESPACE__NAME[@VERSION].orb.yml files')
    .action(async (file: string, options: { orbDir?: string }) => {
      const problems = await validateConfig({ source: readSource(file), file, orbs: orbDirSource(options.orbDir) });
      for (const problem of problems) output.err(formatProblem(problem));
      const errors = problems.filter((p) => p.severity === 'error').length;
      if (errors) throw new CliError(`${file}: ${errors} error(s)`);
      output.out(`${file}: valid`);
    });
  config.command('process <file>')
    .description('Print the fully expanded config, like `circleci config process`')
    .option('--orb-dir <dir>', 'read orbs from NAMESPACE__NAME[@VERSION].orb.yml files')
    .option('--pipeline-parameters <json>', 'pipeline parameters as a JSON object')
    .option('--pipeline-values <json>', 'pipeline values as a JSON object (e.g. {"git":{"branch":"dev"}})')
    .action(async (file: string, options: { orbDir?: string; pipelineParameters?: string; pipelineValues?: string }) => {
      const result = await expandConfig({
        source: readSource(file), file, orbs: orbDirSource(options.orbDir),
        pipelineParameters: parseJsonOption('--pipeline-parameters', options.pipelineParameters),
        pipelineValues: parseJsonOption('--pipeline-values', options.pipelineValues) as PipelineValues | undefined,
      });
      if (!result.ok) {
        for (const problem of result.problems) output.err(formatProblem(problem));
        throw new CliError(`${file}: ${result.problems.filter((p) => p.severity === 'error').length} error(s)`);
      }
      for (const warning of result.warnings) output.err(formatProblem(warning));
      output.out(stringify(result.config, { lineWidth: 0 }));
    });
}
