/** @module `kiln context create|list|delete` and `kiln context env set|list|delete` (values from stdin). */
import type { Command } from 'commander';
import type { KilnClient } from '../../client/index.js';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';
import { readStdin } from './login.command.js';

interface ContextView { id: string; name: string }

/** A context by name or id. */
async function findContext(client: KilnClient, nameOrId: string): Promise<ContextView> {
  const page = await client.http.call<{ items: ContextView[] }>('GET', '/api/v2/context');
  const found = page.items.find((c) => c.name === nameOrId || c.id === nameOrId);
  if (!found) throw new CliError(`No context ${nameOrId}`);
  return found;
}

export function registerContextCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const context = program.command('context').description('Contexts: organisation-level secret variables');
  const run = async (work: (client: KilnClient) => Promise<void>) => {
    const client = clientFrom(env(), output);
    try { await work(client); } finally { await client.close(); }
  };
  context.command('create <name>').action((name: string) => run(async (client) => {
    const created = await client.http.call<ContextView>('POST', '/api/v2/context', { body: { name } });
    output.out(`${created.id}\t${created.name}`);
  }));
  context.command('list').action(() => run(async (client) => {
    for (const c of (await client.http.call<{ items: ContextView[] }>('GET', '/api/v2/context')).items) output.out(`${c.id}\t${c.name}`);
  }));
  context.command('delete <context>').action((name: string) => run(async (client) => {
    const found = await findContext(client, name);
    await client.http.call('DELETE', `/api/v2/context/${found.id}`);
    output.out(`Deleted context ${found.name}`);
  }));
  const vars = context.command('env').description('Variables of a context');
  vars.command('set <context> <name>').description('Set a variable; the value is read from stdin').action(async (name: string, variable: string) => {
    const value = await readStdin();
    if (value === '') throw new CliError('No value on stdin');
    await run(async (client) => {
      const found = await findContext(client, name);
      await client.http.call('PUT', `/api/v2/context/${found.id}/environment-variable/${encodeURIComponent(variable)}`, { body: { value } });
      output.out(`Stored ${variable} in ${found.name}`);
    });
  });
  vars.command('list <context>').action((name: string) => run(async (client) => {
    const found = await findContext(client, name);
    for (const v of (await client.http.call<{ items: Array<{ variable: string; updated_at: string }> }>('GET', `/api/v2/context/${found.id}/environment-variable`)).items) {
      output.out(`${v.variable}\t${v.updated_at}`);
    }
  }));
  vars.command('delete <context> <name>').action((name: string, variable: string) => run(async (client) => {
    const found = await findContext(client, name);
    await client.http.call('DELETE', `/api/v2/context/${found.id}/environment-variable/${encodeURIComponent(variable)}`);
    output.out(`Deleted ${variable} from ${found.name}`);
  }));
}
