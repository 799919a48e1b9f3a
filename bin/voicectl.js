#!/usr/bin/env node
// The only place that sets voicectl's exit code (0, 1, 2, 130: see README "Exit codes").
import { processIo } from '../dist/cli/io.js';
import { runCli } from '../dist/cli/run.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
// Leave the event loop to drain stdout; if a stray handle lingers, do not hang.
setTimeout(() => process.exit(), 2000).unref();
