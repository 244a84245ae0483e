/**
 * @module The `kiln` command. The only place (with src/bin/*) that reads process.env.
 */
import { Command, CommanderError } from 'commander';
import { describeError, STD_OUTPUT, CliError, type CliEnvironment } from '../cli/cli-context.js';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { registerConfigCommands } from '../cli/commands/config.command.js';
import { registerContextCommands } from '../cli/commands/context.command.js';
import { registerEnvVarCommands } from '../cli/commands/envvar.command.js';
import { registerLoginCommand } from '../cli/commands/login.command.js';
import { registerOrbCommands } from '../cli/commands/orb.command.js';
import { registerScheduleCommands } from '../cli/commands/schedule.command.js';
import { registerSecretsCommands } from '../cli/commands/secrets.command.js';
import { registerTokenCommands } from '../cli/commands/token.command.js';
import { registerUserCommands } from '../cli/commands/user.command.js';
import { registerPipelineCommands } from '../cli/commands/pipeline.command.js';
import { registerProjectCommands } from '../cli/commands/project.command.js';
import { registerAuditCommands } from './audit-command.js';
import { registerRunnerCommand } from './runner-command.js';
import { registerServerCommand } from './server-command.js';

const env = process.env;
const program = new Command('kiln')
  .description('Kiln: a self-hosted CI/CD server that runs CircleCI 2.1 configs in hardened Docker containers')
  .option('--insecure', 'do not verify the server certificate (development only)')
  .showHelpAfterError()
  .exitOverride();

/** `kiln login` saves the token here (0600); KILN_TOKEN takes precedence. */
const tokenFile = join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'kiln', 'token');
const savedToken = (): string | undefined => (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() || undefined : undefined);

const cliEnvironment = (): CliEnvironment => ({
  url: env.KILN_URL, token: env.KILN_TOKEN || savedToken(), caCertFile: env.KILN_CA_CERT, insecure: Boolean(program.opts().insecure),
});

registerServerCommand(program, {
  bootstrapToken: env.KILN_BOOTSTRAP_TOKEN, bootstrapEmail: env.KILN_BOOTSTRAP_EMAIL, bootstrapPassword: env.KILN_BOOTSTRAP_PASSWORD,
  dataDir: env.KILN_DATA_DIR, databaseUrl: env.KILN_DATABASE_URL,
  masterKeyFile: env.KILN_MASTER_KEY_FILE, masterKey: env.KILN_MASTER_KEY,
});
registerRunnerCommand(program, { url: env.KILN_URL, runnerToken: env.KILN_RUNNER_TOKEN, runnerId: env.KILN_RUNNER_ID, caCertFile: env.KILN_CA_CERT });
registerProjectCommands(program, cliEnvironment, STD_OUTPUT);
registerPipelineCommands(program, cliEnvironment, STD_OUTPUT);
registerConfigCommands(program, STD_OUTPUT);
registerAuditCommands(program, { env: cliEnvironment, output: STD_OUTPUT, dataDir: env.KILN_DATA_DIR });
registerLoginCommand(program, () => ({ ...cliEnvironment(), tokenFile }), STD_OUTPUT);
registerUserCommands(program, cliEnvironment, STD_OUTPUT);
registerTokenCommands(program, cliEnvironment, STD_OUTPUT);
registerEnvVarCommands(program, cliEnvironment, STD_OUTPUT);
registerContextCommands(program, cliEnvironment, STD_OUTPUT);
registerSecretsCommands(program, cliEnvironment, STD_OUTPUT);
registerOrbCommands(program, cliEnvironment, STD_OUTPUT);
registerScheduleCommands(program, cliEnvironment, STD_OUTPUT);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  STD_OUTPUT.err(`error: ${describeError(error)}`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
}
