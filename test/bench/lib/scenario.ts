import type { ParseArgsOptionsConfig } from 'node:util';
import type { Progress } from './progress.ts';

/** Parsed command-line values a scenario declared in `Scenario.options`. */
export type ScenarioOptions = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface ScenarioContext {
  /** Absolute path of the repository root (holds package.json). */
  root: string;
  /** Values of the options this scenario declared (defaults applied). */
  options: ScenarioOptions;
  /** Transient progress line on stderr. */
  progress: Progress;
}

export interface ScenarioResult {
  /** Human-readable report (tables), printed to stdout. */
  report: string;
  /** One line per target that failed; empty when every target passed. */
  failures: string[];
  /** Scenario data, written to `bench-results/<name>.json` inside the runner's envelope. */
  data: Record<string, unknown>;
}

/**
 * A benchmark scenario: one module under `test/bench/scenarios/`, listed in
 * `scenarios/index.ts`. Scenarios report against targets; a missed target is a result, not an
 * error (the runner still exits 0). Throw only when the measurement itself could not be made.
 */
export interface Scenario {
  /** Used by `--only` and as the results file name. */
  name: string;
  description: string;
  /** Extra command-line options (node:util parseArgs syntax); names must not clash across scenarios. */
  options?: ParseArgsOptionsConfig;
  /** One line of help per option, shown by `--help`. */
  optionHelp?: Record<string, string>;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
