import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BlockResult {
  /** stdout and stderr together, as a terminal shows them. */
  output: string;
  /** The exit status of the block's last command. */
  status: number;
}

/**
 * One bash process, as one terminal of a reader: variables set by a block stay for the next. Each block is
 * written to a file and sourced, with stdin from /dev/null, so a command that reads stdin cannot eat the
 * next block.
 */
export class ShellSession {
  private output = '';
  private readonly marker = `doc-test-done-${randomUUID()}`;

  private constructor(
    private readonly bash: ChildProcessWithoutNullStreams,
    private readonly scratchDir: string,
  ) {
    bash.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    bash.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static start(options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    prelude: string;
    scratchDir: string;
  }): ShellSession {
    const bash = spawn('bash', ['--noprofile', '--norc'], { cwd: options.cwd, env: options.env });
    const session = new ShellSession(bash, options.scratchDir);
    bash.stdin.write(`exec 2>&1\nsource '${options.prelude}'\n`);
    return session;
  }

  async run(block: string, timeoutMs: number): Promise<BlockResult> {
    const file = join(this.scratchDir, `block-${randomUUID()}.sh`);
    writeFileSync(file, block);
    this.output = '';
    this.bash.stdin.write(`source '${file}' </dev/null; printf '\\n${this.marker} %d\\n' $?\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const finished = this.output.indexOf(`\n${this.marker} `);
      const statusEnd = this.output.indexOf('\n', finished + 1);
      if (finished >= 0 && statusEnd >= 0) {
        const status = Number(this.output.slice(finished + this.marker.length + 2, statusEnd));
        // A terminal shows CRLF (HTTP headers from curl -D) as LF: so does the comparison.
        return { output: this.output.slice(0, finished).replaceAll('\r\n', '\n'), status };
      }
      if (this.bash.exitCode !== null)
        throw new Error(`the shell exited (${this.bash.exitCode}): ${this.output}`);
      if (Date.now() > deadline) throw new Error(`the block ran longer than ${timeoutMs} ms: ${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.bash.stdin.end();
  }
}
