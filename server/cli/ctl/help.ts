import { API_VERSION, SYNOD_VERSION } from '../../version.js';
import { helpFlag, type CommandSpec } from './command.js';
import type { FlagSpec } from './flags.js';
import { GLOBAL_FLAGS } from './global-options.js';

/** A flag as etcdctl's usage shows it: --limit=0, --prefix[=false], --order="", --endpoints=[a,b]. */
function flagUsage(spec: FlagSpec): string {
  const names = spec.short === undefined ? `      --${spec.name}` : `  -${spec.short}, --${spec.name}`;
  switch (spec.kind) {
    case 'bool':
      return `${names}[=${spec.defaultText}]`;
    case 'string':
      return `${names}=${JSON.stringify(spec.defaultText)}`;
    case 'strings':
      return `${names}=[${spec.defaultText}]`;
    default:
      return `${names}=${spec.defaultText}`;
  }
}

function flagTable(specs: readonly FlagSpec[]): string {
  const sorted = [...specs].sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(...sorted.map((spec) => flagUsage(spec).length)) + 4;
  return sorted.map((spec) => `${flagUsage(spec).padEnd(width)}${spec.description}`).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `\t${line}`)
    .join('\n');
}

/** `synodctl <command> --help`, laid out as etcdctl's. */
export function commandHelp(command: CommandSpec): string {
  const sections = [
    `NAME:\n\t${command.name} - ${command.summary}`,
    `USAGE:\n\tsynodctl ${command.name}${command.usage === '' ? '' : ` ${command.usage}`} [flags]`,
  ];
  if (command.description !== undefined) sections.push(`DESCRIPTION:\n${indent(command.description)}`);
  sections.push(`OPTIONS:\n${flagTable([...command.flags, helpFlag(command.name)])}`);
  sections.push(`GLOBAL OPTIONS:\n${flagTable(GLOBAL_FLAGS)}`);
  return `${sections.join('\n\n')}\n`;
}

/** `synodctl --help`, or the list of a group's commands (`synodctl member`). */
export function rootHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 4;
  const list = commands
    .map((command) => `\t${command.name.padEnd(width)}${command.summary}`)
    .sort()
    .join('\n');
  return `${[
    'NAME:\n\tsynodctl - A simple command line client for Synod, mirroring etcdctl v3.',
    'USAGE:\n\tsynodctl [flags] <command> [options] [arguments]',
    `VERSION:\n\t${SYNOD_VERSION}`,
    `API VERSION:\n\t${API_VERSION}`,
    `COMMANDS:\n${list}`,
    `OPTIONS:\n${flagTable([...GLOBAL_FLAGS, helpFlag('synodctl')])}`,
  ].join('\n\n')}\n`;
}
