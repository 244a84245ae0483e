/** @module `kiln token create|list|revoke`, personal or (with --project SLUG) per project. */
import type { Command } from 'commander';
import { clientFrom, type CliEnvironment, type Output } from '../cli-context.js';

const base = (project?: string) => (project ? `/api/v2/project/${project.split('/').map(encodeURIComponent).join('/')}/token` : '/api/v2/me/token');

export function registerTokenCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const token = program.command('token').description('Manage API tokens');
  token.command('create <name>')
    .description('Create a token; it is printed once and never shown again')
    .option('--scope <scope>', '"*" (everything the role allows) or "read"', '*')
    .option('--project <slug>', 'a project token (admins) instead of a personal one')
    .action(async (name: string, options: { scope: string; project?: string }) => {
      const client = clientFrom(env(), output);
      try {
        const created = await client.http.call<{ id: string; token: string }>('POST', base(options.project), { body: { name, scopes: [options.scope] } });
        output.err(`Token ${created.id} created; store it now, it will not be shown again.`);
        output.out(created.token);
      } finally {
        await client.close();
      }
    });
  token.command('list')
    .option('--project <slug>', 'list a project\'s tokens')
    .action(async (options: { project?: string }) => {
      const client = clientFrom(env(), output);
      try {
        const page = await client.http.call<{ items: Array<{ id: string; name: string; scopes: string[]; last_used_at: string | null; revoked_at: string | null }> }>('GET', base(options.project));
        for (const t of page.items) output.out(`${t.id}\t${t.name}\t${t.scopes.join(',')}\tlast used ${t.last_used_at ?? 'never'}${t.revoked_at ? '\trevoked' : ''}`);
      } finally {
        await client.close();
      }
    });
  token.command('revoke <id>')
    .option('--project <slug>', 'revoke a project token')
    .action(async (id: string, options: { project?: string }) => {
      const client = clientFrom(env(), output);
      try {
        await client.http.call('DELETE', `${base(options.project)}/${encodeURIComponent(id)}`);
        output.out(`Token ${id} revoked`);
      } finally {
        await client.close();
      }
    });
}
