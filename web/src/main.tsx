/** The console's entry: configuration, a pending Cognito sign-in, the offline queue, the service worker, the shell. */
import { render } from 'preact';
import './styles.css';
import { completeCognitoSignIn, loadConfig } from './app/auth.ts';
import { startOfflineSync } from './app/offline.ts';
import { Shell } from './app/Shell.tsx';
import { registerServiceWorker } from './app/sw-register.ts';

async function main(): Promise<void> {
  const config = await loadConfig();
  let signInError: Error | undefined;
  try {
    await completeCognitoSignIn();
  } catch (e: unknown) {
    signInError = e instanceof Error ? e : new Error(String(e));
  }
  startOfflineSync();
  registerServiceWorker();
  const root = document.getElementById('app')!;
  root.textContent = ''; // the boot placeholder
  render(<Shell config={config} signInError={signInError} />, root);
}

void main();
