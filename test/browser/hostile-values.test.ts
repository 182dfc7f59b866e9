/**
 * The console over source values written to mislead or break it: markup and script, a right-to-left
 * override in a case number and in a file name, zero-width characters, NUL, a value of 200 000
 * characters. Nothing may run, no invisible character may reorder or hide what a person reads, and a
 * long value may not push the screen's controls out of sight. In a real Chromium over the README's
 * demo (signed in with the demo's API key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from '../support/hub-harness.ts';
import { DEMO_KEYS, SCENARIO, startDemoHub, type DemoHub } from '../support/console-demo.ts';
import { launchChromium, newPage, signIn } from '../support/browser.ts';

const RLO = '\u202e';
const MARKUP = `<img src=x onerror="window.__ran=1"><script>window.__ran=2</script>"'><a href="javascript:window.__ran=3">x</a>`;
const csvField = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const LIMS_HEADER = readFileSync(path.join(SCENARIO, 'lims.csv'), 'utf8').split('\r\n')[0];
/** A LIMS row whose offense date cannot be read (quarantined), with the given case number and item description. */
const badRow = (caseNo: string, desc: string): string =>
  `L24-000777,1,CT0006400,Hartford Police Department,${csvField(caseNo)},SHOOTING,02/30/2024\u0000\u001b[2J,Hartford,03/04/2024 09:30,1,,A1,CARTRIDGE CASE,${csvField(desc)},9MM,,,,,,,N,,,,"Sample, Jordan",860-555-0131`;

let demo: DemoHub;
let browser: Browser;
let admin: Page & { errors: string[] };

async function open(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.locator('#screen-title').waitFor();
}

/** The characters of the page's text that a reader cannot see but that change what they read. */
const invisibleOnScreen = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.body.innerText.matchAll(/[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff]/g)].map((m) => 'U+' + m[0].charCodeAt(0).toString(16).padStart(4, '0'))`) as Promise<string[]>;

beforeAll(async () => {
  demo = await startDemoHub();
  browser = await launchChromium();
  admin = await newPage(browser);
  await signIn(admin, demo.url, DEMO_KEYS.admin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the console over hostile source values', () => {
  it('a file name and a case number with a right-to-left override, markup, NUL, an escape sequence and a zero-width space: shown as escapes, nothing runs', async () => {
    demo.drop('lims', `lims${RLO}vsc.csv`, [LIMS_HEADER, badRow('24-005001', MARKUP), ''].join('\r\n'));
    await waitFor('the quarantined row', async () => (await demo.hub.store.listQuarantine({ connectorId: 'lab-lims-drop', limit: 1 }))[0]);
    await open(admin, '#/quarantine');
    const card = admin.locator('li.card').first();
    // The pointer reads in its own order: the override is shown, not obeyed.
    await card.locator('code.pointer').getByText('lims\\u202evsc.csv row 1 (line 2) column OFFENSE_DATE').waitFor();
    // NUL is stored as U+FFFD (PostgreSQL text holds no NUL); the escape character as it came.
    await card.getByText('occurredAt: "02/30/2024\ufffd\\u001b[2J" matches none').waitFor();
    await card.getByText('Raw row').click();
    await expect(card.locator('pre.raw').textContent()).resolves.toContain(`"ITEM_DESC": ${JSON.stringify(MARKUP)}`);
    await expect(invisibleOnScreen(admin)).resolves.toEqual([]);

    await open(admin, '#/transfers');
    await admin.getByRole('cell', { name: /lims\\u202evsc\.csv/ }).waitFor();
    await expect(invisibleOnScreen(admin)).resolves.toEqual([]);

    // The case number of a lead's event: not "24-005001".
    const notice = JSON.parse(readFileSync(path.join(SCENARIO, 'nibin-notice.ndjson'), 'utf8').split('\n')[0]!);
    notice.events[0].agencyCaseNumber = `${RLO}100500-42`;
    notice.events[1].agencyCaseNumber = '24-00\u200b1877';
    demo.drop('nibin', 'notice.ndjson', JSON.stringify(notice) + '\n');
    await open(admin, '#/leads/NL24-000057');
    const events = admin.locator('table', { hasText: 'Events linked by the lead' });
    await events.getByRole('cell', { name: '\\u202e100500-42', exact: true }).waitFor({ timeout: 30_000 });
    await expect(events.getByRole('cell', { name: '24-00\\u200b1877', exact: true }).count()).resolves.toBe(1);
    await expect(invisibleOnScreen(admin)).resolves.toEqual([]);

    await expect(admin.evaluate('window.__ran')).resolves.toBeUndefined();
    await expect(admin.locator('main img, main script, main a[href^="javascript:"]').count()).resolves.toBe(0);
    expect(admin.errors.filter((e) => !/401/.test(e))).toEqual([]);
  });

  it('a value of a million characters without a space, one of many lines, a file name of 249 characters: the quarantine and the transfer stay as wide as the window, its controls in sight', async () => {
    const row = badRow('24-005002', 'A'.repeat(1_000_000)).replace('L24-000777', `L24-${'9'.repeat(3000)}`).replace('Hartford,03/04', `${csvField('line\n'.repeat(2000))},03/04`).replace('02/30/2024\u0000\u001b[2J', `02/30/${'2'.repeat(5000)}`);
    const file = `lims-${'long'.repeat(60)}.csv`;
    demo.drop('lims', file, [LIMS_HEADER, row, ''].join('\r\n'));
    await waitFor('the quarantined long row', async () => (await demo.hub.store.listQuarantine({ connectorId: 'lab-lims-drop', file, limit: 1 }))[0]);
    await open(admin, `#/quarantine?file=${file}`);
    const card = admin.locator('li.card').first();
    await card.getByText('Raw row').click();
    await card.locator('pre.raw').waitFor();
    const width = (await admin.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
    expect(width[0]).toBeLessThanOrEqual(width[1]);
    const box = await card.getByRole('button', { name: 'Re-run a corrected file…' }).boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1440);
    const cardBox = await card.boundingBox();
    expect(cardBox!.x + cardBox!.width).toBeLessThanOrEqual(1440);

    // The transfer's page names the file (of 249 characters) and lists the same row's message.
    await card.getByRole('link', { name: /^transfer / }).click();
    await admin.getByRole('heading', { level: 1, name: /^Transfer / }).waitFor();
    await admin.locator('ul.rows li').first().waitFor();
    const transferWidth = (await admin.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
    expect(transferWidth[0]).toBeLessThanOrEqual(transferWidth[1]);
  });
  it('a lead id holding "/", "?" and "#": its link in the list opens that lead, not another screen', async () => {
    const odd = 'NL24-000058/E1?V=9#X'; // the mapping upper-cases lead ids
    const text = readFileSync(path.join(SCENARIO, 'nibin-notice.ndjson'), 'utf8').split('\n')[0]!.replaceAll('NL24-000057', odd);
    demo.drop('nibin', 'odd-lead.ndjson', text + '\n');
    await open(admin, '#/leads');
    await admin.getByRole('link', { name: odd, exact: true }).click({ timeout: 30_000 });
    await admin.getByRole('heading', { level: 1, name: `Lead ${odd}`, exact: true }).waitFor();
    await admin.getByText('Events linked by the lead').waitFor();
  });
});
