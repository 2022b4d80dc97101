#!/usr/bin/env node
// The CLI is written in TypeScript and run through tsx, so `npx flashsale` works straight
// after `npm install` without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
