#!/usr/bin/env node
import { configWatchRecipe } from './config-watch/config-watch.js';
import { fencedLockRecipe } from './fenced-lock/fenced-lock.js';
import { schedulerRecipe } from './scheduler/scheduler.js';
import { serviceRegistryRecipe } from './service-registry/service-registry.js';
import { optionsHelp } from './shared/options.js';
import type { Recipe } from './shared/recipe.js';

/**
 * `npm run recipe -- <name> [role] [options]`: runs one of the recipes (without a role, its demo).
 * Every role talks to the cluster given by --endpoints (default: the `npm run cluster` members).
 */
const RECIPES: readonly Recipe[] = [serviceRegistryRecipe, schedulerRecipe, fencedLockRecipe, configWatchRecipe];

function usage(): string {
  const lines = ['Usage: npm run recipe -- <name> [role] [options]   (no role: the demo)', '', 'Recipes:'];
  for (const recipe of RECIPES) {
    lines.push(`  ${recipe.name.padEnd(18)}${recipe.summary}`);
    for (const [role, spec] of Object.entries(recipe.roles)) lines.push(`      ${role.padEnd(14)}${spec.summary}`);
  }
  lines.push('', 'npm run recipe -- <name> <role> --help lists a role\'s options.');
  return `${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<void> {
  const [name, maybeRole, ...rest] = argv;
  const recipe = RECIPES.find((candidate) => candidate.name === name);
  if (recipe === undefined) {
    process.stdout.write(usage());
    if (name !== undefined && name !== '--help' && name !== 'help') throw new Error(`unknown recipe ${JSON.stringify(name)}`);
    return;
  }
  const explicit = maybeRole !== undefined && !maybeRole.startsWith('-');
  const roleName = explicit ? maybeRole : 'demo';
  const args = explicit ? rest : argv.slice(1);
  const role = recipe.roles[roleName];
  if (role === undefined) throw new Error(`recipe ${recipe.name} has no role ${JSON.stringify(roleName)} (roles: ${Object.keys(recipe.roles).join(', ')})`);
  if (args.includes('--help')) {
    process.stdout.write(`npm run recipe -- ${recipe.name} ${roleName} [options]: ${role.summary}\n\n${optionsHelp(role.options)}\n`);
    return;
  }
  await role.run(args);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
