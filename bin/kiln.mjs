#!/usr/bin/env node
// Package entry point: registers the TypeScript loader, then hands over to src/bin/kiln.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin/kiln.ts');
