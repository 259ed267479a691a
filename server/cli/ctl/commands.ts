import type { CommandSpec } from './command.js';
import { electCommand } from './elect-command.js';
import { ENDPOINT_COMMANDS } from './endpoint-commands.js';
import { delCommand, getCommand, putCommand } from './kv-commands.js';
import { LEASE_COMMANDS } from './lease-commands.js';
import { lockCommand } from './lock-command.js';
import { compactionCommand } from './maintenance-commands.js';
import { MEMBER_COMMANDS } from './member-commands.js';
import { moveLeaderCommand } from './move-leader-command.js';
import { txnCommand } from './txn-command.js';
import { versionCommand } from './version-command.js';
import { watchCommand } from './watch-command.js';

/** Every synodctl command. A new command is one spec added here. */
export const COMMANDS: readonly CommandSpec[] = [
  putCommand,
  getCommand,
  delCommand,
  txnCommand,
  watchCommand,
  compactionCommand,
  ...LEASE_COMMANDS,
  ...MEMBER_COMMANDS,
  moveLeaderCommand,
  ...ENDPOINT_COMMANDS,
  versionCommand,
  lockCommand,
  electCommand,
];
