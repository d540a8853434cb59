/** The console's entry: configuration, the opening view's chunk and data, a pending Cognito sign-in, the shell; then the offline queue and the service worker. */
import { render } from 'preact';
import './styles.css';
import { completeCognitoSignIn, loadConfig } from './app/auth.ts';
import { startOfflineSync } from './app/offline.ts';
import { Shell } from './app/Shell.tsx';
import { parseHash } from './app/router.ts';
import { currentSession } from './app/session.ts';
import { registerServiceWorker } from './app/sw-register.ts';
import { startView } from './views/index.ts';

async function main(): Promise<void> {
  const config = await loadConfig();
  // Signed in already: the view's data is read while its chunk (preloaded by the page) arrives;
  // the first render then shows the view itself rather than a spinner.
  const opening = startView(parseHash(location.hash), currentSession());
  let signInError: Error | undefined;
  try {
    await completeCognitoSignIn();
  } catch (e: unknown) {
    signInError = e instanceof Error ? e : new Error(String(e));
  }
  await opening;
  const root = document.getElementById('app')!;
  root.textContent = ''; // the boot placeholder
  render(<Shell config={config} signInError={signInError} />, root);
  // Once the first frame is on screen: the offline queue opens IndexedDB (and sends what waits)
  // and the service worker registers, rather than competing with the first render.
  afterFirstFrame(() => {
    startOfflineSync();
    registerServiceWorker();
  });
}

/** Runs `fn` after the next frame, or after half a second where no frame comes (a hidden tab). */
function afterFirstFrame(fn: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 500);
}

void main();
