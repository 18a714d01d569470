import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { parseExposition, type Sample, sampleValue } from './exposition.js';
import { type KitExpression, opsDir, parsePromQl, readAlertRules, readDashboardExpressions } from './ops-kit.js';
import { startTelemetry } from './telemetry.js';

// Metrics only (no collector configured: tracing stays off, as in most deployments).
const telemetry = startTelemetry({ config: loadConfig({}), role: 'server' });
const { bearer, useRuntime } = await import('../../test/runtime.js');
const { DEMO_IDS } = await import('../demo/seed.js');
const { connectTikTokEmulator } = await import('@reelpost/tiktok-emulator');

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';
const runtime = useRuntime({ WORKER: 'on', POSTING_POLL_INITIAL_MS: '200', METRICS_TOKEN }, { telemetry });
afterAll(() => telemetry.shutdown());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('gave up waiting');
}

async function scrape(): Promise<Sample[]> {
  const response = await runtime().app.request('/metrics', { headers: bearer(METRICS_TOKEN) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parseExposition(await response.text()).samples;
}

/** Four more completed video tasks beside the seeded one: five posts, one per task. */
async function videoTasks(): Promise<string[]> {
  const { db } = runtime().deps;
  const ids: string[] = [DEMO_IDS.videoTask];
  for (let i = 0; i < 4; i++) {
    const id = randomUUID();
    await sql`INSERT INTO instance_tasks (id, instance_id, type, status, title, input, output_data, execution_steps, started_at, completed_at, created_at)
      SELECT ${id}, instance_id, type, status, title, input, output_data, execution_steps, started_at, completed_at, created_at
      FROM instance_tasks WHERE id = ${DEMO_IDS.videoTask}`.execute(db);
    ids.push(id);
  }
  return ids;
}

function post(taskId: string) {
  return runtime().app.request(`/api/v1/tasks/${taskId}/post-to-tiktok`, {
    method: 'POST',
    headers: { ...bearer(runtime().demo!.token), 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Counted #metrics', privacyLevel: 'SELF_ONLY' }),
  });
}

let samples: Sample[];

beforeAll(async () => {
  const { db } = runtime().deps;
  const tiktok = connectTikTokEmulator(runtime().demo!.tiktokUrl);
  const tasks = await videoTasks();
  // The default account's access token has expired: the first post refreshes it, once.
  await db.updateTable('instance_tiktok_credentials').set({ access_token_expires_at: new Date(Date.now() - 60_000) }).where('is_default', '=', true).execute();

  // One creator_info answer is a 500: retried once (the retry is counted; the post goes on).
  await tiktok.failNext('creator_info.query', { status: 500, code: 'internal_error' });
  for (const taskId of tasks.slice(0, 3)) expect((await post(taskId)).status).toBe(200);
  await tiktok.failNext('video.init', { status: 403, code: 'spam_risk_too_many_posts' });
  expect((await post(tasks[3]!)).status).toBe(400);
  await tiktok.failNext('video.init', { status: 429, code: 'rate_limit_exceeded' });
  expect((await post(tasks[4]!)).status).toBe(429);

  await until(
    () => db.selectFrom('tiktok_posts').select('status').where('status', '=', 'PUBLISHED').execute(),
    (published) => published.length === 3,
  );
  samples = await scrape();
});

describe('GET /metrics after a scripted run (3 published, 1 refused as spam_risk_too_many_posts, 1 TikTok 429)', () => {
  it('counts each post once under its final status and error code', () => {
    expect(sampleValue(samples, 'reelpost_posts_finished_total', { status: 'PUBLISHED' })).toBe(3);
    expect(sampleValue(samples, 'reelpost_posts_finished_total', { status: 'FAILED', error_code: 'spam_risk_too_many_posts' })).toBe(1);
    expect(sampleValue(samples, 'reelpost_posts_finished_total')).toBe(4);
    expect(sampleValue(samples, 'reelpost_post_publish_duration_count')).toBe(3);
  });

  it('counts TikTok calls by endpoint and outcome, and the 429 once', () => {
    const init = { tiktok_endpoint: 'video.init' };
    expect(sampleValue(samples, 'reelpost_tiktok_requests_total', { ...init, tiktok_error_code: 'ok', http_response_status_code: '200' })).toBe(3);
    expect(sampleValue(samples, 'reelpost_tiktok_requests_total', { ...init, tiktok_error_code: 'spam_risk_too_many_posts', http_response_status_code: '403' })).toBe(1);
    expect(sampleValue(samples, 'reelpost_tiktok_requests_total', { ...init, tiktok_error_code: 'rate_limit_exceeded', http_response_status_code: '429' })).toBe(1);
    expect(sampleValue(samples, 'reelpost_tiktok_rate_limited_total')).toBe(1);
    expect(sampleValue(samples, 'reelpost_tiktok_rate_limited_total', init)).toBe(1);
    expect(sampleValue(samples, 'reelpost_tiktok_request_duration_count', init)).toBe(5);
    expect(sampleValue(samples, 'reelpost_tiktok_token_refreshes_total', { outcome: 'success' })).toBe(1);
    expect(sampleValue(samples, 'reelpost_tiktok_retries_total', { tiktok_endpoint: 'creator_info.query', tiktok_error_code: 'internal_error' })).toBe(1);
  });

  it('counts HTTP requests by route template and status, never by id', () => {
    const route = { http_request_method: 'POST', http_route: '/api/v1/tasks/{taskId}/post-to-tiktok' };
    expect(sampleValue(samples, 'http_server_request_duration_count', { ...route, http_response_status_code: '200' })).toBe(3);
    expect(sampleValue(samples, 'http_server_request_duration_count', { ...route, http_response_status_code: '400' })).toBe(1);
    expect(sampleValue(samples, 'http_server_request_duration_count', { ...route, http_response_status_code: '429' })).toBe(1);
    expect(sampleValue(samples, 'rpc_server_call_duration_count', { rpc_method: 'tiktok.post', error_type: 'RATE_LIMITED' })).toBe(1);
    // Bounded labels: no task, post or account id (UUIDs) anywhere.
    for (const sample of samples) expect(Object.values(sample.labels).join(' ')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('reports webhooks, jobs, accounts and the Postgres pool', () => {
    expect(sampleValue(samples, 'reelpost_tiktok_webhook_deliveries_total', { result: 'accepted' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'reelpost_job_duration_count', { job: 'post:check-status', outcome: 'success' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'reelpost_tiktok_accounts', { state: 'active' })).toBe(2);
    expect(sampleValue(samples, 'reelpost_tiktok_accounts', { state: 'needs_reauth' })).toBe(0);
    expect(samples.some((sample) => sample.name === 'reelpost_jobs_oldest_due_age')).toBe(true);
    expect(sampleValue(samples, 'db_client_connection_count', { db_client_connection_state: 'used' })).toBeGreaterThanOrEqual(0);
    expect(samples.some((sample) => sample.name === 'db_client_connection_pending_requests')).toBe(true);
  });
});

describe('the internal port (METRICS_PORT)', () => {
  it('serves /metrics (the token still applies when set), /healthz with the job loop, and /readyz', async () => {
    const ops = runtime().opsApp!;
    expect((await ops.request('/metrics')).status).toBe(401);
    expect((await ops.request('/metrics', { headers: bearer(METRICS_TOKEN) })).status).toBe(200);
    const health = await ops.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', jobLoop: { alive: true } });
    expect(await (await ops.request('/readyz')).json()).toEqual({ status: 'ready' });
  });
});

describe('access to /metrics', () => {
  it('refuses a scrape without the bearer token, or with another', async () => {
    expect((await runtime().app.request('/metrics')).status).toBe(401);
    expect((await runtime().app.request('/metrics', { headers: bearer('not-the-metrics-token-0123456789') })).status).toBe(401);
  });
});

describe('the operator kit (ops/): Prometheus alert rules and the Grafana dashboard', () => {
  const rules = readAlertRules();
  const expressions: KitExpression[] = [...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })), ...readDashboardExpressions()];

  it('has the alerts operators need, each with a severity, a summary and a runbook in docs/operations.md', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining(['ReelpostPostingFailureRate', 'ReelpostTikTokRateLimited', 'ReelpostAccountsNeedReauth', 'ReelpostJobQueueBehind', 'ReelpostWebhookSignatureFailures']),
    );
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(page|warning|info)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.runbook, rule.alert).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      if (rule.for !== undefined) expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('writes every expression in valid PromQL', () => {
    for (const { where, expr } of expressions) expect(parsePromQl(expr).errorsAt, `${where}: ${expr}`).toEqual([]);
  });

  it('references only metrics, and labels of them, that /metrics really serves', () => {
    const labelsOf = new Map<string, Set<string>>();
    for (const sample of samples) {
      const labels = labelsOf.get(sample.name) ?? new Set<string>();
      for (const label of Object.keys(sample.labels)) labels.add(label);
      labelsOf.set(sample.name, labels);
    }
    for (const { where, expr } of expressions) {
      for (const { metric, labels } of parsePromQl(expr).selectors) {
        expect(labelsOf.has(metric), `${where} reads ${metric}, which /metrics does not serve`).toBe(true);
        for (const label of labels) expect(labelsOf.get(metric)?.has(label), `${where}: ${metric} has no label ${label}`).toBe(true);
      }
    }
  });

  // Prometheus' own checker, where it is installed (Debian's `prometheus` package has it; CI may add it).
  const promtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!promtool)('passes promtool check rules, and the rules fire in promtool test rules as ops/prometheus/alerts.test.yml expects', () => {
    for (const args of [['check', 'rules', 'alerts.yml'], ['test', 'rules', 'alerts.test.yml']]) {
      const result = spawnSync('promtool', args, { cwd: join(opsDir(), 'prometheus'), encoding: 'utf8' });
      expect(result.status, `promtool ${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});
