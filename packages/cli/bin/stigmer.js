#!/usr/bin/env node
// The bundle when built (fast start); the compiled sources otherwise.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/stigmer.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : new URL('../dist/bin.js', import.meta.url).href);
