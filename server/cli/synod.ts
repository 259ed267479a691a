#!/usr/bin/env node
import { ConfigError, loadServerConfig, serverHelp } from './server-config.js';
import { startServer } from './start-server.js';
import { SYNOD_VERSION } from '../version.js';

/** `synod`: runs one member until SIGTERM or SIGINT, then shuts down cleanly. */
async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${serverHelp()}\n`);
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`synod version: ${SYNOD_VERSION}\n`);
    return 0;
  }
  let config;
  try {
    config = loadServerConfig(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`synod: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const server = await startServer(config);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      server.log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    server.member.once('fatal', () => resolve());
    server.member.once('removed', () => {
      server.log.warn('this member was removed from the cluster; stopping');
      resolve();
    });
  });
  await server.close();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`synod: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
