/**
 * Benchmark runner: `npm run bench [-- --only <name>] [scenario options]`.
 *
 * Runs each scenario from scenarios/index.ts, prints its report, and writes
 * bench-results/<scenario>.json. Missed targets are listed at the end but the exit code stays 0
 * (this is a report); it is non-zero only when a measurement could not be made.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { Progress } from './lib/progress.ts';
import type { Scenario, ScenarioOptions } from './lib/scenario.ts';
import { scenarios } from './scenarios/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = join(root, 'bench-results');

const RUNNER_OPTIONS: ParseArgsOptionsConfig = {
  only: { type: 'string', multiple: true },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function allOptions(): ParseArgsOptionsConfig {
  const merged: ParseArgsOptionsConfig = { ...RUNNER_OPTIONS };
  for (const scenario of scenarios) {
    for (const [name, option] of Object.entries(scenario.options ?? {})) {
      if (name in merged) throw new Error(`option --${name} of scenario ${scenario.name} is already defined`);
      merged[name] = option;
    }
  }
  return merged;
}

function usage(): string {
  const lines = ['Usage: npm run bench -- [--only <scenario>]... [--list] [scenario options]', '', 'Scenarios:'];
  for (const s of scenarios) {
    lines.push(`  ${s.name.padEnd(14)} ${s.description}`);
    for (const [name, o] of Object.entries(s.options ?? {})) {
      const shown = o.type === 'boolean' ? `--${name}${o.default === true ? ` / --no-${name}` : ''}` : `--${name} <value>`;
      const help = s.optionHelp?.[name];
      lines.push(`      ${shown.padEnd(24)} ${help ? `${help} ` : ''}(default: ${String(o.default ?? (o.type === 'boolean' ? false : 'none'))})`);
    }
  }
  return lines.join('\n');
}

function gitCommit(): { commit: string; dirty: boolean } | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, dirty };
  } catch {
    return null;
  }
}

function environment() {
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    git: gitCommit(),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: allOptions(), allowNegative: true, strict: true });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  if (values.list) {
    for (const s of scenarios) console.log(`${s.name}\t${s.description}`);
    return 0;
  }

  const only = (values.only as string[] | undefined)
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !scenarios.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${scenarios.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const selected = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;

  if (!process.versions.node.startsWith('24.')) {
    console.error(
      `warning: running on Node ${process.version}; Lambda runs nodejs24.x. Use \`npm run bench\` (the node devDependency) for comparable numbers.`,
    );
  }

  const progress = new Progress();
  const env = environment();
  const missed: { scenario: string; failure: string }[] = [];
  await mkdir(RESULTS_DIR, { recursive: true });

  for (const scenario of selected) {
    const options: ScenarioOptions = {};
    for (const name of Object.keys(scenario.options ?? {})) options[name] = values[name];
    const startedAt = new Date();
    progress.update(`[${scenario.name}] starting`);
    const result = await scenario.run({ root, options, progress });
    const finishedAt = new Date();
    progress.clear();

    console.log(`\n=== ${scenario.name} (${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(1)} s) ===\n`);
    console.log(result.report);
    const file = join(RESULTS_DIR, `${scenario.name}.json`);
    const envelope = {
      scenario: scenario.name,
      description: scenario.description,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      environment: env,
      options,
      passed: result.failures.length === 0,
      failures: result.failures,
      ...result.data,
    };
    await writeFile(file, `${JSON.stringify(envelope, null, 2)}\n`);
    console.log(
      `\n${result.failures.length === 0 ? 'All targets met.' : `${result.failures.length} target(s) missed.`} Results: ${join('bench-results', `${scenario.name}.json`)}`,
    );
    for (const failure of result.failures) missed.push({ scenario: scenario.name, failure });
  }

  console.log('\n=== summary ===');
  if (missed.length === 0) console.log(`PASS: every target met in ${selected.map((s: Scenario) => s.name).join(', ')}.`);
  else {
    console.log(`FAIL: ${missed.length} target(s) missed (reported only; exit code stays 0):`);
    for (const m of missed) console.log(`  - [${m.scenario}] ${m.failure}`);
  }
  return 0;
}

process.exitCode = await main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  return 1;
});
