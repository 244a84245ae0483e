/** @module `kiln envvar set SLUG NAME` (value from stdin), `list SLUG`, `delete SLUG NAME`. */
import type { Command } from 'commander';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';
import { readStdin } from './login.command.js';

const path = (slug: string) => `/api/v2/project/${slug.split('/').map(encodeURIComponent).join('/')}/envvar`;

export function registerEnvVarCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const envvar = program.command('envvar').description('Project environment variables (values are write-only)');
  envvar.command('set <slug> <name>').description('Set a variable; the value is read from stdin').action(async (slug: string, name: string) => {
    const value = await readStdin();
    if (value === '') throw new CliError('No value on stdin');
    const client = clientFrom(env(), output);
    try {
      const saved = await client.http.call<{ name: string; value: string }>('POST', path(slug), { body: { name, value } });
      output.out(`${saved.name}\t${saved.value}`);
    } finally {
      await client.close();
    }
  });
  envvar.command('list <slug>').action(async (slug: string) => {
    const client = clientFrom(env(), output);
    try {
      for (const v of (await client.http.call<{ items: Array<{ name: string; value: string }> }>('GET', path(slug))).items) output.out(`${v.name}\t${v.value}`);
    } finally {
      await client.close();
    }
  });
  envvar.command('delete <slug> <name>').action(async (slug: string, name: string) => {
    const client = clientFrom(env(), output);
    try {
      await client.http.call('DELETE', `${path(slug)}/${encodeURIComponent(name)}`);
      output.out(`Deleted ${name}`);
    } finally {
      await client.close();
    }
  });
}
