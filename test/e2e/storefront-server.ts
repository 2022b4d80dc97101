import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@flashsale/stack';
import { eventually } from '@flashsale/testkit';

export const storefrontDist = join(projectRoot, 'web', 'dist', 'browser');

/** Builds the storefront unless a build is already there (`npm run test:web` makes one). */
export function ensureStorefrontBuilt(): void {
  if (existsSync(join(storefrontDist, 'index.html'))) return;
  const build = spawnSync('npm', ['run', 'build', '-w', 'web'], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error(`the storefront build failed (exit ${build.status})`);
}

/** The storefront's own static server (the one `flashsale start` runs), for one spec. */
export class StorefrontServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly apiUrl: string,
    private readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      process.execPath,
      [join(projectRoot, 'web', 'server', 'serve-storefront.mjs')],
      {
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          STOREFRONT_PORT: String(this.port),
          STOREFRONT_API_URL: this.apiUrl,
          STOREFRONT_ROOT: storefrontDist,
          ...this.extraEnv,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await eventually('the storefront server', async () =>
      (await fetch(`${this.url}/readyz`)).ok ? true : undefined,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
