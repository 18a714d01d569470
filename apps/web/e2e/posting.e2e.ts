// The posting page in a real browser against the real demo server: sign in, open the video task, pick an account,
// fill TikTok's form, post and watch it publish; a privacy level TikTok stops offering; a scheduled post cancelled;
// an inbox draft the creator posts (the demo's stand-in for the TikTok app) followed live to PUBLISHED; the image
// task posted as a photo post to PUBLISHED.
// Run with e2e/run.sh (it installs Chromium and builds first). Screenshots land in e2e/screenshots/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type Browser,
  type DemoServer,
  emulatorControl,
  launchChromium,
  localDateTime,
  type Postgres,
  screenshotDir,
  startDemoServer,
  startThrowawayPostgres,
} from './harness.js';

const VIDEO_TASK = 'Product teaser: Reelpost in 4 seconds';
const PHOTO_TASK = 'Carousel: three moods for the launch';
const STATUS = '[data-testid="post-status-value"]';

let postgres: Postgres | undefined;
let server: DemoServer | undefined;
let browser: Browser | undefined;
let page: Page;
const timings: Record<string, number> = {};

async function openVideoTask(): Promise<void> {
  await page.goto(server!.url);
  await page.getByRole('link', { name: VIDEO_TASK }).click();
  await page.getByRole('heading', { level: 1, name: VIDEO_TASK }).waitFor();
}

async function pickAccount(name: RegExp): Promise<void> {
  await page.getByRole('radio', { name }).check();
  await page.getByText('Posting as').waitFor();
}

/** The posting card: account picker, then the form or the post's status. */
const postingCard = () => page.locator('.post-section');

async function waitForStatus(status: string, timeoutMs: number): Promise<void> {
  await page.locator(`${STATUS}[data-status="${status}"]`).waitFor({ timeout: timeoutMs });
}

describe('the posting page against the demo server', { timeout: 240_000 }, () => {
  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    postgres = await startThrowawayPostgres();
    server = await startDemoServer(postgres.url);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.stop();
    await server?.stop();
    await postgres?.stop();
    if (Object.keys(timings).length > 0) console.log(`timings (ms): ${JSON.stringify(timings)}`);
  });

  it('signs in with the demo token and lists the seeded tasks', async () => {
    await page.goto(server!.url);
    assert.equal(await page.getByLabel('Email').inputValue(), 'demo@reelpost.dev');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    for (const title of [VIDEO_TASK, 'Trend report: short-form video in 2026', 'Behind the scenes clip']) {
      await page.getByRole('link', { name: title }).waitFor();
    }
    await page.screenshot({ path: join(screenshotDir, 'task-list.png'), fullPage: true });
  });

  it('shows the task: planning, execution log, attached media, the video, and the default account preselected', async () => {
    await openVideoTask();
    await page.getByRole('heading', { name: 'Planning' }).waitFor();
    assert.ok((await page.locator('.steps li').count()) > 0, 'planning steps are listed');
    await page.getByText('Rendered H.264 + AAC').waitFor();
    await page.getByRole('link', { name: 'sample-360x640-4s.mp4' }).waitFor();
    await page.getByTestId('video-preview').waitFor();
    const defaultAccount = page.getByRole('radio', { name: /default/ });
    assert.ok(await defaultAccount.isChecked(), 'the default account is preselected');
    await page.getByText('Posting as').waitFor();
    // No privacy level is chosen for the person, and interactions start off.
    assert.equal(await page.getByLabel('Who can see this video').inputValue(), '');
    assert.equal(await page.getByRole('checkbox', { name: 'Comment' }).isChecked(), false);
    await page.screenshot({ path: join(screenshotDir, 'task-page.png') });
  });

  it('connects another account through TikTok’s authorize page (the emulator’s)', async () => {
    await emulatorControl(server!.tiktokUrl, 'addUser', { username: 'new.creator', displayName: 'New Creator' });
    await openVideoTask();
    await page.getByRole('button', { name: 'Connect another account' }).click();
    await page.getByRole('button', { name: 'Continue as @new.creator' }).click();
    await page.getByTestId('connect-outcome').filter({ hasText: 'TikTok account connected' }).waitFor();
    await page.getByRole('radio', { name: /New Creator/ }).waitFor();
    assert.equal(new URL(page.url()).search, '', 'the outcome is announced once');
    // The default stays the default.
    assert.ok(await page.getByRole('radio', { name: /default/ }).isChecked());
  });

  it('stops with the message and hint when TikTok no longer offers the chosen privacy level', async () => {
    await openVideoTask();
    await pickAccount(/Quiet Studio/);
    await page.getByLabel('Who can see this video').selectOption('FOLLOWER_OF_CREATOR');
    // Between drawing the form and posting, the creator's options change at TikTok.
    await emulatorControl(server!.tiktokUrl, 'updateUser', 'quiet.studio', { privacyLevelOptions: ['SELF_ONLY'] });
    await page.getByRole('button', { name: 'Post to TikTok' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The post was not sent.' });
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /cannot post with privacy FOLLOWER_OF_CREATOR/);
    assert.match(text, /Choose one of the offered privacy levels/);
    assert.match(text, /TikTok now offers: Only me/);
    assert.doesNotMatch(text, /[{}]/, 'no raw JSON');
    // The dropdown now offers what TikTok offers, and nothing is chosen.
    assert.deepEqual(
      await page.getByLabel('Who can see this video').locator('option:not([disabled])').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)),
      ['SELF_ONLY'],
    );
    assert.equal(await page.getByLabel('Who can see this video').inputValue(), '');
    await postingCard().screenshot({ path: join(screenshotDir, 'privacy-not-offered.png') });
  });

  it('schedules a post and cancels it', async () => {
    await openVideoTask();
    await pickAccount(/Quiet Studio/);
    await page.getByLabel('Title').fill('Scheduled teaser #reelpost');
    await page.getByLabel('Who can see this video').selectOption('SELF_ONLY');
    await page.getByLabel('Schedule for later').check();
    await page.getByLabel('Date and time (your time zone)').fill(localDateTime(new Date(Date.now() + 2 * 60 * 60 * 1000)));
    await page.getByRole('button', { name: 'Schedule post' }).click();
    await waitForStatus('SCHEDULED', 20_000);
    await postingCard().screenshot({ path: join(screenshotDir, 'scheduled.png') });
    await page.getByRole('button', { name: 'Cancel scheduled post' }).click();
    await waitForStatus('CANCELLED', 20_000);
    await page.getByRole('button', { name: 'Post again' }).waitFor();
  });

  it('posts the video and follows it to PUBLISHED with a public link', async () => {
    await openVideoTask();
    await pickAccount(/Reelpost Creator|reelpost\.creator/);
    await page.getByLabel('Title').fill('Post once, reach everyone. #ai #reelpost');
    assert.match(await page.getByText(/\/ 2,200/).innerText(), /^40 \/ 2,200$/);
    await page.getByLabel('Who can see this video').selectOption('PUBLIC_TO_EVERYONE');
    await page.getByRole('checkbox', { name: 'Comment' }).check();
    await page.getByRole('switch', { name: 'Disclose commercial content' }).check();
    assert.ok(await page.getByRole('button', { name: 'Post to TikTok' }).isDisabled(), 'disclosure needs a choice first');
    await page.getByRole('checkbox', { name: 'Your brand' }).check();
    await page.getByText('Your video will be labeled “Promotional content”.').waitFor();
    await page.getByText('By posting, you agree to TikTok’s Music Usage Confirmation.').waitFor();
    await postingCard().screenshot({ path: join(screenshotDir, 'post-form.png') });

    const started = Date.now();
    await page.getByRole('button', { name: 'Post to TikTok' }).click();
    await page.getByTestId('post-status').waitFor();
    timings.postAccepted = Date.now() - started;
    await waitForStatus('PUBLISHED', 90_000);
    timings.published = Date.now() - started;
    await postingCard().screenshot({ path: join(screenshotDir, 'published.png') });
    const link = page.getByTestId('public-link');
    await link.waitFor({ timeout: 90_000 });
    timings.publicLink = Date.now() - started;
    assert.match((await link.getAttribute('href')) ?? '', /^https:\/\/www\.tiktok\.com\/@reelpost\.creator\/video\/\d+$/);
    await postingCard().screenshot({ path: join(screenshotDir, 'published-link.png') });
  });

  it('sends a draft to the inbox, waits for the creator, and shows PUBLISHED with the link when they post it', async () => {
    await openVideoTask();
    await pickAccount(/New Creator/);
    await page.getByLabel('Title').fill('Finish me in TikTok #reelpost');
    await page.getByLabel('Who can see this video').selectOption('PUBLIC_TO_EVERYONE');
    await page.getByLabel('Send to the creator’s TikTok inbox as a draft').check();
    await page.getByRole('button', { name: 'Send to TikTok inbox' }).click();
    await waitForStatus('SENT_TO_INBOX', 60_000);
    assert.match(await page.locator('.status-line').innerText(), /Waiting for the creator to finish it in TikTok/);
    await postingCard().screenshot({ path: join(screenshotDir, 'inbox-waiting.png') });

    // The creator posts the draft in "TikTok" (the emulator); the page, still following, shows it.
    await page.getByTestId('demo-creator-posts').click();
    await waitForStatus('PUBLISHED', 90_000);
    const link = page.getByTestId('public-link');
    await link.waitFor({ timeout: 90_000 });
    assert.match((await link.getAttribute('href')) ?? '', /^https:\/\/www\.tiktok\.com\/@new\.creator\/video\/\d+$/);
    await postingCard().screenshot({ path: join(screenshotDir, 'inbox-published.png') });
  });

  it('posts the image task as a photo post (cover, title, description) and follows it to PUBLISHED with a public link', async () => {
    await page.goto(server!.url);
    await page.getByRole('link', { name: PHOTO_TASK }).click();
    await page.getByRole('heading', { level: 1, name: PHOTO_TASK }).waitFor();
    await pickAccount(/Reelpost Creator|reelpost\.creator/);
    await page.getByRole('heading', { name: 'Post photos to TikTok' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Duet' }).count(), 0, 'no duet on a photo post');
    await page.getByAltText('Image 2 of 3').click();
    await page.getByLabel('Title').fill('Three moods');
    assert.match(await page.getByText(/\/ 90$/).innerText(), /^11 \/ 90$/);
    await page.getByLabel('Description').fill('Made by an agent #ai #reelpost');
    await page.getByLabel('Who can see this video').selectOption('PUBLIC_TO_EVERYONE');
    await postingCard().screenshot({ path: join(screenshotDir, 'photo-form.png') });
    await page.getByRole('button', { name: 'Post to TikTok' }).click();
    await page.getByTestId('post-status').waitFor();
    await waitForStatus('PUBLISHED', 90_000);
    const link = page.getByTestId('public-link');
    await link.waitFor({ timeout: 90_000 });
    assert.match((await link.getAttribute('href')) ?? '', /^https:\/\/www\.tiktok\.com\/@reelpost\.creator\/video\/\d+$/);
    await postingCard().screenshot({ path: join(screenshotDir, 'photo-published.png') });
  });

  it('is readable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openVideoTask();
    await page.getByTestId('public-link').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 390 px (overflow ${overflow} px)`);
    await page.screenshot({ path: join(screenshotDir, 'phone.png'), fullPage: true });
  });
});
