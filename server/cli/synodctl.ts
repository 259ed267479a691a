#!/usr/bin/env node
import { runSynodctl } from './ctl/app.js';
import { StdinReader } from './ctl/io.js';

/** `synodctl`: an etcdctl v3 work-alike built on the Synod SDK. See SYNODCTL.md. */
const io = { stdout: process.stdout, stderr: process.stderr, stdin: new StdinReader(process.stdin), env: process.env };

// A closed pipe (`synodctl get --prefix a | head -1`) ends the program quietly, as SIGPIPE ends etcdctl.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

function exit(code: number): void {
  // Exit only once stdout has taken everything written to it.
  process.stdout.write('', () => process.exit(code));
}

runSynodctl(process.argv.slice(2), io).then(exit, (error: unknown) => {
  process.stderr.write(`Error: ${(error as Error).message ?? String(error)}\n`);
  exit(1);
});
