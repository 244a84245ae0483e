/** @module `kiln user create EMAIL --role R --password-stdin` (admins only) and `kiln user list`. */
import type { Command } from 'commander';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';
import { readStdin } from './login.command.js';

export function registerUserCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const user = program.command('user').description('Manage users of your organisation');
  user.command('create <email>')
    .description('Create a user (admins only); the password is read from stdin')
    .requiredOption('--role <role>', 'admin | member | viewer')
    .requiredOption('--password-stdin', 'read the password from stdin')
    .action(async (email: string, options: { role: string }) => {
      if (!['admin', 'member', 'viewer'].includes(options.role)) throw new CliError('--role must be admin, member or viewer');
      const password = await readStdin();
      const client = clientFrom(env(), output);
      try {
        const created = await client.http.call<{ id: string; email: string; role: string }>('POST', '/api/v2/user', { body: { email, role: options.role, password } });
        output.out(`${created.id}\t${created.email}\t${created.role}`);
      } finally {
        await client.close();
      }
    });
  user.command('list').description('List users').action(async () => {
    const client = clientFrom(env(), output);
    try {
      const page = await client.http.call<{ items: Array<{ id: string; email: string; role: string }> }>('GET', '/api/v2/user');
      for (const u of page.items) output.out(`${u.id}\t${u.email}\t${u.role}`);
    } finally {
      await client.close();
    }
  });
}
