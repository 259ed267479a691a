#!/usr/bin/env node
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

/**
 * `npm run cluster`: three members on 127.0.0.1 for trying Synod (clients on 2379, 22379, 32379; peers
 * on 2380, 22380, 32380; data in ./synod-cluster/<name>). Logs are shown one line per event, prefixed by
 * the member's name. Ctrl-C stops every member cleanly; starting again resumes from the data.
 */
const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './synod-cluster' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('Usage: npm run cluster [-- --data-dir ./synod-cluster --log-level info]\n');
  process.exit(0);
}

const synod = fileURLToPath(new URL('./synod.js', import.meta.url));
const members = [
  { name: 'm1', client: 2379, peer: 2380 },
  { name: 'm2', client: 22379, peer: 22380 },
  { name: 'm3', client: 32379, peer: 32380 },
];
const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',');
const children: ChildProcess[] = [];

for (const member of members) {
  const child = spawn(
    process.execPath,
    [
      synod,
      '--name', member.name,
      '--data-dir', `${values['data-dir']}/${member.name}`,
      '--listen-client-urls', `http://127.0.0.1:${member.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${member.peer}`,
      '--initial-cluster', initialCluster,
      '--initial-cluster-token', 'synod-dev-cluster',
      '--log-level', values['log-level'],
    ],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  children.push(child);
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const { level, time, pid, hostname, msg, ...rest } = entry;
      void level; void time; void pid; void hostname;
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      process.stdout.write(`[${member.name}] ${String(msg)}${extra}\n`);
    } catch {
      process.stdout.write(`[${member.name}] ${line}\n`);
    }
  });
  child.on('exit', (code, signal) => process.stdout.write(`[${member.name}] exited (${code ?? signal})\n`));
}

process.stdout.write(`Synod cluster starting: clients on ${members.map((m) => `127.0.0.1:${m.client}`).join(', ')}\n`);
process.stdout.write(`Try: npx synodctl --endpoints=${members.map((m) => `127.0.0.1:${m.client}`).join(',')} member list -w table\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
