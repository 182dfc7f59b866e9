/**
 * The console in a real Chromium, over a real hub running the README's demo (real Redis, real
 * PostgreSQL): what an operator, an analyst and an agency's investigator see on screen, checked as
 * they would see it, with axe-core on every page (no serious or critical violation). With
 * CGIC_SCREENSHOTS=1 the overview, a transfer, a lead, the playground and a refused sign-in are saved
 * to docs/console/.
 *
 * People sign in through a real OpenID provider running in this process (oidc-provider, with the
 * demo's people: support/oidc-provider.ts): the lab's administrator, Hartford's investigator, and an
 * administrator whose sign-in asserted no second factor (refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT, caseCsv, waitFor } from '../support/hub-harness.ts';
import { SCENARIO, settled, startDemoHub, type DemoHub } from '../support/console-demo.ts';
import { launchChromium, newPage, screenshot, seriousViolations, signInThroughProvider } from '../support/browser.ts';
import { leadLine } from '../support/leads.ts';

const BAD_LIMS = [
  readFileSync(path.join(SCENARIO, 'lims.csv'), 'latin1').split('\r\n')[0],
  'L24-000390,1,CT0006400,Hartford Police Department,24-005001,SHOOTING,02/30/2024 22:14,Hartford,03/04/2024 09:30,1,,A1,CARTRIDGE CASE,Fired cartridge case,9MM,,,,,,,N,,,,"Sample, Jordan",860-555-0131',
  '',
].join('\r\n');

let demo: DemoHub;
let browser: Browser;
let admin: Page & { errors: string[] };

async function expectAccessible(page: Page, what: string): Promise<void> {
  const v = await seriousViolations(page);
  expect(v.map((x) => `${what}: ${x.id} (${x.impact}) ${x.help} at ${x.nodes.map((n) => n.target.join(' ')).join('; ')}`)).toEqual([]);
}

async function open(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.locator('#screen-title').waitFor();
}

beforeAll(async () => {
  demo = await startDemoHub({ oidc: true });
  demo.rms.answer = () => 503;
  browser = await launchChromium();
  admin = await newPage(browser);
  await signInThroughProvider(admin, demo.url, 'lab-admin');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the console over the README demo', () => {
  it('the sign-in screen sends people to the identity provider; one without a second factor is refused, saying what happened and what to do', async () => {
    const page = await newPage(browser);
    await page.goto(`${demo.url}/console/`);
    await page.getByRole('link', { name: 'Sign in with Test State ID' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await page.getByRole('link', { name: 'Sign in with Test State ID' }).click();
    await page.getByLabel('User name').fill('admin-without-mfa');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Multi-factor authentication required' }).waitFor();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/did not assert multi-factor authentication for Pat Quinn[\s\S]*HUB_ERR_AUTH_MFA_REQUIRED[\s\S]*What to do: CJIS requires multi-factor authentication/);
    await expectAccessible(page, 'sign-in refused');
    await screenshot(page, 'sign-in-refused');
    await page.getByRole('link', { name: "Back to the console's sign-in" }).click();
    await page.getByRole('link', { name: 'Sign in with Test State ID' }).waitFor();
    await page.context().close();
  });

  it('overview: the connectors with their health, and each destination with its queue', async () => {
    await open(admin, '#/overview');
    const sources = admin.locator('table', { hasText: 'Connectors (sources)' });
    for (const id of ['lab-lims-drop', 'lab-lims-hook', 'nibin-leads-drop', 'etrace-drop']) await expect(sources.getByRole('rowheader', { name: new RegExp(`^${id}`) }).count()).resolves.toBe(1);
    await sources.getByText('OK').first().waitFor();
    const dest = admin.locator('table', { hasText: 'Destinations (agencies receiving)' });
    await dest.locator('[data-queue="hartford-files"]').getByText(/0 waiting, 0 active, 0 retrying/).waitFor();
    await expect(dest.getByRole('rowheader', { name: /east-hartford-api/ }).count()).resolves.toBe(1);
    await expectAccessible(admin, 'overview');
  });

  it('the transfer of the dropped LIMS file, with its counts', async () => {
    demo.drop('lims', 'lims.csv', readFileSync(path.join(SCENARIO, 'lims.csv')));
    demo.drop('etrace', 'etrace.csv', readFileSync(path.join(SCENARIO, 'etrace.csv')));
    const t = await waitFor('the LIMS transfer', async () => (await demo.hub.store.listTransfers({ connectorId: 'lab-lims-drop', status: 'succeeded', limit: 50 })).find((x) => x.counts.read > 0));
    await open(admin, '#/transfers?connector=lab-lims-drop');
    await expectAccessible(admin, 'transfers');
    await admin.getByRole('link', { name: t.id.slice(0, 8) }).click();
    await admin.getByRole('heading', { level: 1, name: /^Transfer / }).waitFor();
    const count = (k: string) => admin.locator(`[data-count="${k}"]`);
    await expect(count('read').textContent()).resolves.toBe('12');
    await expect(count('mapped').textContent()).resolves.toBe('12');
    await expect(count('invalid').textContent()).resolves.toBe('0');
    await expect(count('damaged').textContent()).resolves.toBe('0');
    await expect(count('stored').textContent()).resolves.toMatch(/^[1-9]\d*$/);
    await expectAccessible(admin, 'transfer');
    await screenshot(admin, 'transfer');
  });

  it('a quarantined row with its pointer, code and fix', async () => {
    demo.drop('lims', 'lims-0316.csv', BAD_LIMS);
    await waitFor('the quarantined row', async () => (await demo.hub.store.listQuarantine({ connectorId: 'lab-lims-drop', limit: 1 }))[0]);
    await open(admin, '#/quarantine?connector=lab-lims-drop');
    const card = admin.locator('li.card').first();
    await card.getByText('lims-0316.csv row 1 (line 2) column OFFENSE_DATE').waitFor();
    // The fixes come from their own read (GET /api/error-codes), which may answer after the rows.
    await card.getByText('How to fix:').waitFor();
    await expect(card.textContent()).resolves.toMatch(/HUB_ERR_RECORD_DATE[\s\S]*How to fix:/);
    await expectAccessible(admin, 'quarantine');
  });

  it('the lead NL24-000057 with its recipients; a dead letter replayed after confirmation', async () => {
    demo.drop('nibin', 'nibin-notice.ndjson', readFileSync(path.join(SCENARIO, 'nibin-notice.ndjson')));
    await waitFor('the dead letter to East Hartford RMS', async () => (await demo.hub.store.listDeadLetters({ destinationId: 'east-hartford-api', pending: true, limit: 1 }))[0], 60_000);
    await open(admin, '#/leads/NL24-000057');
    const recipients = admin.locator('table', { hasText: 'Who received which version' });
    for (const ori of ['CT0006400', 'CT0004300', 'CTCSP0000', 'CTCGIC000']) await recipients.getByRole('rowheader', { name: ori }).first().waitFor();
    await expect(admin.locator('dd[data-lead-version]').textContent()).resolves.toBe('1');
    await expectAccessible(admin, 'lead (analyst view)');
    await screenshot(admin, 'lead');

    await open(admin, '#/dead-letters');
    const card = admin.locator('li.card', { hasText: 'east-hartford-api' });
    await card.getByText('not delivered').waitFor();
    await expectAccessible(admin, 'dead letters');
    demo.rms.answer = () => 200;
    await card.getByRole('button', { name: 'Replay…' }).click();
    const dialog = admin.getByRole('dialog', { name: /Replay 1 dead letter/ });
    await dialog.waitFor();
    await expectAccessible(admin, 'replay confirmation');
    await dialog.getByRole('button', { name: 'Replay', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: '1 dead letter queued for delivery again' }).waitFor();
    await waitFor('the replayed package at East Hartford RMS', () => demo.rms.okRequests().length === 1);
    await open(admin, '#/dead-letters?all=1');
    await admin.locator('li.card', { hasText: 'east-hartford-api' }).getByText('replayed').waitFor();
  });

  it("Hartford's investigator sees the lead, version 2 appears without a reload, and another agency's lead stays out of sight", async () => {
    await settled(demo.hub);
    const hartford = await newPage(browser);
    await signInThroughProvider(hartford, demo.url, 'hartford-investigator', '#/leads');
    await hartford.getByText('Sam Ortiz (Hartford PD), Hartford Police Department').waitFor();
    await hartford.getByRole('link', { name: 'NL24-000057' }).waitFor();
    await expect(hartford.getByRole('navigation', { name: 'Screens' }).getByRole('link').allTextContents()).resolves.toEqual(['Leads']);
    await expectAccessible(hartford, 'leads (agency)');
    await hartford.getByRole('link', { name: 'NL24-000057' }).click();
    const version = hartford.locator('dd[data-lead-version]');
    await expect(version.textContent()).resolves.toBe('1');
    await expectAccessible(hartford, 'lead (agency view)');
    await hartford.evaluate('window.__sameDocument = true');

    // A lead of two other agencies, and the examiner's update of NL24-000057.
    demo.drop('nibin', 'other.ndjson', leadLine(900, ['CT0004300', 'CTCSP0000']) + '\n');
    demo.drop('nibin', 'nibin-update.ndjson', readFileSync(path.join(SCENARIO, 'nibin-update.ndjson')));
    await hartford.locator('dd[data-lead-version]', { hasText: '2' }).waitFor({ timeout: 30_000 });
    await expect(hartford.evaluate('window.__sameDocument')).resolves.toBe(true);
    await expect(hartford.getByText('CONFIRMED_HIT').first().isVisible()).resolves.toBe(true);

    await waitFor('the other lead stored', async () => (await demo.hub.store.db.query(`SELECT 1 FROM lead_versions WHERE lead_id = 'NL26-000900'`)).length > 0);
    await open(hartford, '#/leads');
    await hartford.getByRole('link', { name: 'NL24-000057' }).waitFor();
    await expect(hartford.getByRole('link', { name: 'NL26-000900' }).count()).resolves.toBe(0);
    await open(hartford, '#/leads/NL26-000900');
    await hartford.getByRole('alert').getByText('No lead NL26-000900 that you may see.').waitFor();
    await open(admin, '#/leads');
    await admin.getByRole('link', { name: 'NL26-000900' }).waitFor();
    expect(hartford.errors).toEqual([]);
    await hartford.context().close();

    // Each read on the audit trail under the person, with the lead and the version they were shown.
    const trail = await fetch(`${demo.url}/api/audit?actor=user:hartford-investigator&action=${encodeURIComponent('GET /api/leads/:id')}&limit=100`, { headers: { authorization: 'Bearer demo-auditor-key' } }).then((r) => r.json() as Promise<{ items: any[] }>);
    const shown = trail.items.filter((e) => e.outcome === 'ok').flatMap((e) => e.subjects.map((x: { id: string; version: number }) => `${x.id} v${x.version}`));
    expect(new Set(shown)).toEqual(new Set(['NL24-000057 v1', 'NL24-000057 v2']));
    expect(trail.items.find((e) => e.outcome === 'refused')).toMatchObject({ role: 'agency', ori: 'CT0006400', status: 404, subjects: [{ type: 'lead', id: 'NL26-000900' }], detail: { session: { name: 'Sam Ortiz (Hartford PD)' } } });
  });

  it("the playground shows a bad row's pointer for a pasted mapping, as cgic map does", async () => {
    await open(admin, '#/playground');
    await admin.getByLabel('My YAML').check();
    await admin.getByLabel('Mapping YAML').fill(readFileSync(path.join(PROJECT_ROOT, 'test/integration/fixtures/case-csv/mapping.yaml'), 'utf8'));
    await admin.locator('#pg-sample').setInputFiles({ name: 'cases-0316.csv', mimeType: 'text/csv', buffer: Buffer.from(caseCsv(5, ['CT0006400'], { bad: [3] })) });
    await admin.getByRole('button', { name: 'Map the sample' }).click();
    const result = admin.locator('section.result');
    await result.getByText('cases-0316.csv row 3 (line 4) column DATE').first().waitFor();
    await expect(result.locator('pre.cli').textContent()).resolves.toMatch(/rows invalid {3}1 {2}\(errors: HUB_ERR_RECORD_DATE 1\)/);
    await expectAccessible(admin, 'playground');
    await screenshot(admin, 'playground');

    // A mapping that does not load: its problem at line and column.
    await admin.getByLabel('Mapping YAML').fill('id: broken\nversion: 1\ndirection: inbound\nsource: { format: csv }\nrecords:\n  - type: Case\n    key: [agencyOri]\n    fields: { agencyOri: { form: ORI } }\n');
    await admin.getByRole('button', { name: 'Map the sample' }).click();
    await admin.getByRole('alert').getByText(/line 8, column \d+/).first().waitFor();
  });

  it('the overview after the demo, and Bull Board for the administrator', async () => {
    await open(admin, '#/overview');
    await admin.locator('table', { hasText: 'Connectors (sources)' }).getByRole('row', { name: /lab-lims-drop/ }).getByText(/last /).waitFor();
    await expectAccessible(admin, 'overview after the demo');
    await screenshot(admin, 'overview');

    const anonymous = await fetch(`${demo.url}/console/queues`);
    expect(anonymous.status).toBe(401);
    await open(admin, '#/queues');
    await expectAccessible(admin, 'queues');
    await admin.getByRole('button', { name: 'Open Bull Board' }).click();
    await admin.waitForURL(/\/console\/queues/);
    await admin.getByText('deliver.east-hartford-api').first().waitFor();
    expect(admin.errors).toEqual([]);
  });
});
