#!/usr/bin/env node
// The bundle when built (fast start); the compiled sources otherwise.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps compiled code on disk between runs; Node 20 has no such cache and skips this.
module.enableCompileCache?.();

const bundle = new URL('../dist/bundle/stigmer.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : new URL('../dist/bin.js', import.meta.url).href);
