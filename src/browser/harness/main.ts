/**
 * The bare tab-node page (`tab.html`) the Playwright fixture opens: it exposes the browser
 * entry as `window.erlmesh`, so tests start and drive nodes with `page.evaluate`.
 */
import * as erlmesh from '../index.js';

declare global {
  interface Window {
    erlmesh: typeof erlmesh;
  }
}

window.erlmesh = erlmesh;
document.getElementById('status')!.textContent = 'ready';
