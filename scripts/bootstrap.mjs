#!/usr/bin/env node
// Runs before `npm start` and `npm test`, so that each is one command on a fresh machine:
// it installs the npm dependencies when they are missing or stale, then installs or builds
// every component of the local stack (a no-op when the cache is warm). Plain Node, no
// dependencies: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`error: Node ${process.versions.node} is too old; install Node 20.19 or newer`);
  process.exit(1);
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `error: \`${cmd} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
}

const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'package-lock.json')))
  .digest('hex');
const marker = join(root, 'node_modules', '.flashsale-lock-hash');
const current = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
if (current !== lockHash) {
  console.error('==> npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(marker, lockHash);
}

run(process.execPath, [join(root, 'cmd', 'flashsale', 'flashsale.mjs'), 'stack', 'install']);
