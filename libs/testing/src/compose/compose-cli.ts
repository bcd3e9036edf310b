import { execFile, spawnSync } from 'node:child_process';

/** Compose v2 (`docker compose`, a Docker CLI plugin) or the standalone 1.29 (`docker-compose`). */
export type ComposeFlavour = 'plugin' | 'standalone';

/** How each flavour is called, and its name in messages. */
export const COMPOSE_COMMANDS: Record<ComposeFlavour, { command: string; prefix: string[]; name: string }> = {
  plugin: { command: 'docker', prefix: ['compose'], name: 'Compose v2 (`docker compose`)' },
  standalone: { command: 'docker-compose', prefix: [], name: 'docker-compose 1.29' },
};

/** Whether this machine has that compose. */
export function composeInstalled(flavour: ComposeFlavour): boolean {
  const { command, prefix } = COMPOSE_COMMANDS[flavour];
  return spawnSync(command, [...prefix, 'version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/** Which compose this machine has, preferring v2; undefined when there is none. */
export function detectCompose(): ComposeFlavour | undefined {
  return (['plugin', 'standalone'] as const).find(composeInstalled);
}

export interface ComposeResult {
  code: number;
  /** stdout and stderr, interleaved. */
  output: string;
}

/**
 * Runs compose commands for one project, exactly as a person would type them (the same file, `-p <project>`),
 * with extra variables for the interpolation in docker-compose.yml.
 */
export class ComposeCli {
  constructor(
    private readonly flavour: ComposeFlavour,
    readonly project: string,
    private readonly cwd: string,
    private readonly variables: Record<string, string>,
    /** docker-compose.yml, and any override files after it (docker-compose.https.yml). */
    private readonly files: readonly string[] = ['docker-compose.yml'],
  ) {}

  run(args: string[], timeoutMs: number): Promise<ComposeResult> {
    const { command, prefix } = COMPOSE_COMMANDS[this.flavour];
    return new Promise((resolve) => {
      const child = execFile(
        command,
        [
          ...prefix,
          '--project-name',
          this.project,
          ...this.files.flatMap((file) => ['--file', file]),
          ...args,
        ],
        {
          cwd: this.cwd,
          env: { ...process.env, ...this.variables },
          timeout: timeoutMs,
          killSignal: 'SIGTERM',
          maxBuffer: 64 * 1024 * 1024,
        },
        (error) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output }),
      );
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
  }
}

/** The last lines of a long output (a build log), for an error message. */
export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
