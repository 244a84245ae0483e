/** @module `kiln project create|list`. */
import type { Command } from 'commander';
import { clientFrom, type CliEnvironment, type Output } from '../cli-context.js';

export function registerProjectCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const project = program.command('project').description('Manage projects');
  project.command('create <name>')
    .description('Create a project from a git repository; prints its slug')
    .requiredOption('--repo <url>', 'git URL: file:///…, a local path, ssh://… or git@host:…')
    .option('--default-branch <branch>', 'branch built when none is given', 'main')
    .action(async (name: string, options: { repo: string; defaultBranch: string }) => {
      const client = clientFrom(env(), output);
      try {
        const created = await client.createProject({ name, repo_url: options.repo, default_branch: options.defaultBranch });
        output.out(created.slug);
      } finally {
        await client.close();
      }
    });
  project.command('list').description('List projects').action(async () => {
    const client = clientFrom(env(), output);
    try {
      for (const p of (await client.listProjects()).items) output.out(`${p.slug}\t${p.vcs_info.vcs_url}`);
    } finally {
      await client.close();
    }
  });
}
