// Compiles the server processes (api, relay, persister, operator, migrate) to JavaScript for the
// images: one ES module per process under dist/, first-party TypeScript bundled in, every
// npm package left external (resolved from node_modules at run time, so instrumentation
// hooks still see them). The Lua scripts the purchase path reads next to its modules are
// copied beside the bundles, where `luaScript(import.meta.url, ...)` then finds them.
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const outdir = 'dist';
const entryPoints = {
  api: 'cmd/api/main.ts',
  relay: 'cmd/relay/main.ts',
  persister: 'cmd/persister/main.ts',
  operator: 'cmd/operator/main.ts',
  // The one-shot schema migration; it ships in the persister image (the chart's migrate Job).
  migrate: 'cmd/migrate/main.ts',
};

/** Bare imports are npm packages (external), except the workspaces' own @flashsale/*. */
const externalPackages = {
  name: 'external-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@flashsale/') ? undefined : { path: args.path, external: true },
    );
  },
};

async function luaFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.lua'))
    .map((entry) => join(entry.parentPath, entry.name));
}

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: true,
  plugins: [externalPackages],
  logLevel: 'warning',
});
await mkdir(outdir, { recursive: true });
const seen = new Map();
for (const file of await luaFiles('platform/src')) {
  const name = basename(file);
  if (seen.has(name)) throw new Error(`two Lua scripts named ${name}: ${seen.get(name)}, ${file}`);
  seen.set(name, file);
  await copyFile(file, join(outdir, name));
}
