import { buildApp } from './build-app.ts';
import { ContextError } from './config.ts';

try {
  const { app } = buildApp();
  app.synth();
} catch (e: unknown) {
  // A bad -c value is the user's to fix: one line naming the flag, no stack trace.
  if (!(e instanceof ContextError)) throw e;
  console.error(e.message);
  process.exitCode = 1;
}
