/** @module `kiln schedule create|list|delete`: scheduled pipelines of a project (CircleCI schedule API). */
import type { Command } from 'commander';
import type { KilnClient } from '../../client/index.js';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';

interface ScheduleView { id: string; name: string; cron: string; 'next-run-at': string; parameters: Record<string, unknown> }

const slugPath = (slug: string) => slug.split('/').map(encodeURIComponent).join('/');

/** `key=value` → a parameter (true/false and integers become booleans and numbers). */
function parseParam(text: string, into: Record<string, unknown>): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq < 1) throw new CliError(`--param takes KEY=VALUE, got "${text}"`);
  const raw = text.slice(eq + 1);
  into[text.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
  return into;
}

export function registerScheduleCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const schedule = program.command('schedule').description('Scheduled pipelines');
  const run = async (work: (client: KilnClient) => Promise<void>) => {
    const client = clientFrom(env(), output);
    try { await work(client); } finally { await client.close(); }
  };
  schedule.command('create <slug>').description('Create a schedule; give --cron, or --per-hour with --hours and --days')
    .requiredOption('--name <name>', 'unique within the project')
    .option('--description <text>', 'what it is for', '')
    .option('--cron <expr>', 'five-field UTC cron')
    .option('--per-hour <n>', 'timetable: runs per hour (1-60)')
    .option('--hours <list>', 'timetable: UTC hours, e.g. 0,6,12')
    .option('--days <list>', 'timetable: days of week, e.g. MON,TUE')
    .option('--branch <branch>', 'branch to build')
    .option('--tag <tag>', 'tag to build')
    .option('--system', 'attribute pipelines to the system rather than to you')
    .option('--param <key=value>', 'pipeline parameter (repeatable)', parseParam, {})
    .action((slug: string, o: { name: string; description: string; cron?: string; perHour?: string; hours?: string; days?: string; branch?: string; tag?: string; system?: boolean; param: Record<string, unknown> }) => run(async (client) => {
      if (!o.branch === !o.tag) throw new CliError('Give --branch or --tag');
      const timing = o.cron ? { cron: o.cron } : {
        timetable: { 'per-hour': Number(o.perHour ?? 1), 'hours-of-day': (o.hours ?? '').split(',').filter(Boolean).map(Number), 'days-of-week': (o.days ?? '').split(',').filter(Boolean) },
      };
      const created = await client.http.call<ScheduleView>('POST', `/api/v2/project/${slugPath(slug)}/schedule`, { body: {
        name: o.name, description: o.description, ...timing, 'attribution-actor': o.system ? 'system' : 'current',
        parameters: { ...o.param, ...(o.branch ? { branch: o.branch } : { tag: o.tag }) },
      } });
      output.out(`${created.id}\t${created.name}\t${created.cron}\tnext ${created['next-run-at']}`);
    }));
  schedule.command('list <slug>').action((slug: string) => run(async (client) => {
    for (const s of (await client.http.call<{ items: ScheduleView[] }>('GET', `/api/v2/project/${slugPath(slug)}/schedule`)).items) {
      output.out(`${s.id}\t${s.name}\t${s.cron}\tnext ${s['next-run-at']}`);
    }
  }));
  schedule.command('delete <id>').action((id: string) => run(async (client) => {
    await client.http.call('DELETE', `/api/v2/schedule/${encodeURIComponent(id)}`);
    output.out(`Deleted schedule ${id}`);
  }));
}
