import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOrThrow } from '../exec.ts';
import { cachePath, toolBin, toolBinDir } from '../paths.ts';
import { StepError } from '../progress.ts';
import { isFresh, writeStamp, type Recipe } from './stamp.ts';

/** How to build one or more binaries from the Go module proxy. */
export interface GoBuild {
  /** Name of the step and of its stamp, log and work directory. */
  readonly name: string;
  /** Binaries the build produces, installed into the tool bin directory. */
  readonly binaries: readonly string[];
  /** Package import paths, one per binary, in the same order. */
  readonly packages: readonly string[];
  /**
   * The file names `go build` gives the binaries, when they differ from `binaries` (a main
   * package at the root of a /vN module is named after the element before the suffix).
   */
  readonly builtAs?: readonly string[];
  /** A wrapper module's go.mod; when absent the packages are built with `go install pkg@version`. */
  readonly goMod?: string;
  /** Extra files of the wrapper module (e.g. a tools.go that pins the imports). */
  readonly files?: Readonly<Record<string, string>>;
  readonly version: string;
  readonly ldflags?: readonly string[];
}

function goEnv(): NodeJS.ProcessEnv {
  // Static binaries, and no VCS stamping: the module cache has no .git to read.
  return { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=mod' };
}

function recipeOf(build: GoBuild): Recipe {
  return {
    version: build.version,
    packages: build.packages,
    ldflags: build.ldflags ?? [],
    goMod: build.goMod ?? '',
  };
}

async function buildInWrapperModule(build: GoBuild, out: string, logFile: string): Promise<void> {
  const dir = cachePath('build', build.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'go.mod'), build.goMod ?? '');
  for (const [file, text] of Object.entries(build.files ?? {}))
    await writeFile(join(dir, file), text);
  const env = goEnv();
  await runOrThrow('go', ['mod', 'tidy'], { cwd: dir, env, logFile });
  const ldflags = ['-s', '-w', ...(build.ldflags ?? [])].join(' ');
  await runOrThrow(
    'go',
    ['build', '-trimpath', '-ldflags', ldflags, '-o', `${out}/`, ...build.packages],
    {
      cwd: dir,
      env,
      logFile,
    },
  );
}

async function goInstall(build: GoBuild, out: string, logFile: string): Promise<void> {
  const ldflags = ['-s', '-w', ...(build.ldflags ?? [])].join(' ');
  const env = { ...goEnv(), GOBIN: out, GOFLAGS: '-buildvcs=false' };
  const targets = build.packages.map((pkg) => `${pkg}@${build.version}`);
  await runOrThrow('go', ['install', '-trimpath', '-ldflags', ldflags, ...targets], {
    env,
    logFile,
  });
}

/**
 * Builds (or reuses) Go binaries. The build goes to a scratch directory first and is moved
 * into place only when every binary was produced, so an interrupted build is never reused.
 */
export async function installGoBuild(build: GoBuild): Promise<string> {
  const recipe = recipeOf(build);
  const targets = build.binaries.map((binary) => toolBin(binary));
  if (await isFresh(build.name, recipe, targets)) return `cached (${build.version})`;

  const out = cachePath('build', `${build.name}-out`);
  const logFile = cachePath('logs', `${build.name}.log`);
  await rm(out, { recursive: true, force: true });
  await rm(logFile, { force: true });
  await mkdir(toolBinDir(), { recursive: true });
  try {
    if (build.goMod) await buildInWrapperModule(build, out, logFile);
    else await goInstall(build, out, logFile);
    for (const [index, binary] of build.binaries.entries()) {
      await rename(join(out, build.builtAs?.[index] ?? binary), toolBin(binary));
    }
  } catch (cause) {
    throw new StepError(
      build.name,
      `building ${build.binaries.join(', ')} ${build.version} from the Go module proxy failed`,
      `read ${logFile}; check that \`go env GOPROXY\` reaches the module proxy, then run \`npx flashsale stack install\` again`,
      { cause },
    );
  }
  await writeStamp(build.name, recipe);
  return `built ${build.version}`;
}
