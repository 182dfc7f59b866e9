/**
 * The console held open by an operator, as its own process for the console benchmark
 * (console-cost.bench.ts): a headless Chromium signed in on the overview and on the transfers list,
 * both following the hub live. Prints `live` once both pages show the hub, and closes the browser when
 * its stdin ends. Kept out of the benchmark's process so the browser driver's own work and garbage
 * collection do not land on the hub it measures.
 *
 * Run: node bin/run-ts.js bench/console-viewer.ts URL API_KEY
 */
import { launchChromium, newPage, signIn } from '../test/support/browser.ts';

const [url, key] = process.argv.slice(2);
if (!url || !key) {
  console.error('usage: console-viewer.ts URL API_KEY');
  process.exit(2);
}
const browser = await launchChromium();
const overview = await newPage(browser);
await signIn(overview, url, key, '#/overview');
const transfers = await newPage(browser);
await signIn(transfers, url, key, '#/transfers');
await overview.getByText('Live', { exact: true }).waitFor();
console.log('live');
process.stdin.resume();
process.stdin.on('end', () => {
  void browser.close().then(() => process.exit(0));
});
