import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A copy of this workspace in a temporary folder, to change without touching the real one: its files as git
 * sees them (tracked, and new files not ignored), and a node_modules of links to the real one's packages,
 * but for the workspace's own packages (@runnerly/*), which link into the copy.
 */
export class ScratchWorkspace {
  private constructor(
    readonly root: string,
    private readonly scratchDir: string,
  ) {}

  /** `folderName` names the copy's folder where that matters: compose names a project after it. */
  static copyOf(source: string, folderName?: string): ScratchWorkspace {
    const scratchDir = mkdtempSync(join(tmpdir(), 'runnerly-scratch-'));
    const root = folderName ? join(scratchDir, folderName) : scratchDir;
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: source,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      cpSync(join(source, file), join(root, file), { verbatimSymlinks: true });
    }
    mkdirSync(join(root, 'node_modules', '@runnerly'), { recursive: true });
    for (const entry of readdirSync(join(source, 'node_modules'))) {
      if (entry === '@runnerly' || entry === '.cache') continue;
      symlinkSync(join(source, 'node_modules', entry), join(root, 'node_modules', entry));
    }
    const workspace = new ScratchWorkspace(root, scratchDir);
    workspace.linkPackages();
    return workspace;
  }

  /** node_modules/@runnerly/<name> for every app, library and tool of the copy (what `npm install` links). */
  linkPackages(): void {
    for (const group of ['apps', 'libs', 'tools'])
      for (const project of readdirSync(join(this.root, group))) {
        const link = join(this.root, 'node_modules', '@runnerly', project);
        rmSync(link, { force: true });
        symlinkSync(join(this.root, group, project), link);
      }
  }

  /** Runs a command in the copy; throws with its output when it fails. */
  run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 10 * 60_000): string {
    const result = spawnSync(command, args, {
      cwd: this.root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0)
      throw new Error(
        `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${output.slice(-6_000)}`,
      );
    return output;
  }

  remove(): void {
    rmSync(this.scratchDir, { recursive: true, force: true });
  }
}
