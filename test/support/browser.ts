/**
 * A real Chromium for the console's browser tests and benchmark: Debian's `chromium` (installed by
 * .ci/run when missing) driven by playwright-core. Also: signing in (through the test identity
 * provider, or with an API key as the demo does), axe-core on a page, and
 * screenshots for docs/console.md (written only with CGIC_SCREENSHOTS=1, so test runs leave the tree
 * clean).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './hub-harness.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`The browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it), or CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

/** A new page (1440 x 900) collecting script errors; CSP is bypassed so axe-core can be injected. */
export async function newPage(browser: Browser, opts: { width?: number; height?: number } = {}): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 }, timezoneId: 'UTC', locale: 'en-US', bypassCSP: true });
  const page = (await context.newPage()) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

/**
 * Sign in to the console at `baseUrl` as `user` of the test identity provider (support/oidc-provider.ts),
 * as a person does: the console's button, the provider's login page, back to the console on `hash`.
 */
export async function signInThroughProvider(page: Page, baseUrl: string, user: string, hash = '#/overview'): Promise<void> {
  await page.goto(`${baseUrl}/console/${hash}`);
  await page.getByRole('link', { name: /^Sign in with / }).click();
  await page.getByLabel('User name').fill(user);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Sign in with an API key, as the demo (no identity provider: `npm start`) asks. */
export async function signIn(page: Page, baseUrl: string, key: string, hash = '#/overview'): Promise<void> {
  await page.goto(`${baseUrl}/console/${hash}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core (WCAG 2.x A and AA rules) on the page as it is now: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated in the page (a string: this file is compiled without the DOM's types).
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const result = (await page.evaluate(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })`,
  )) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** With CGIC_SCREENSHOTS=1: the page as docs/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CGIC_SCREENSHOTS !== '1') return;
  const dir = path.join(PROJECT_ROOT, 'docs/console');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
