import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { samplerOf } from './telemetry.js';

/**
 * A thousand trace ids evenly spread over what the ratio sampler reads of them (the XOR of their four 32-bit words:
 * here only the last is not zero), so it keeps exactly its share.
 */
const TRACE_IDS = Array.from({ length: 1000 }, (_, index) => (index * 4_294_967 + 1).toString(16).padStart(32, '0'));

const CALLERS_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A request that arrived with a `traceparent` whose caller did (or did not) sample it. */
function continuing(sampled: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: CALLERS_TRACE_ID,
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

/** The share of new traces (no caller) the configured sampler records. */
function shareKept(env: Record<string, string>): number {
  const sampler = samplerOf(loadConfig(env));
  const kept = TRACE_IDS.filter(
    (traceId) => sampler.shouldSample(ROOT_CONTEXT, traceId, 'GET', SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED,
  );
  return kept.length / TRACE_IDS.length;
}

/** Whether the configured sampler records a span continuing a caller's trace. */
function keepsCallers(env: Record<string, string>, sampled: boolean): boolean {
  const sampler = samplerOf(loadConfig(env));
  return sampler.shouldSample(continuing(sampled), CALLERS_TRACE_ID, 'GET', SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED;
}

describe('the trace sampler (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG)', () => {
  it('keeps every new trace and follows the caller when neither is set, as the specification defaults', () => {
    expect(shareKept({})).toBe(1);
    expect(keepsCallers({}, true)).toBe(true);
    expect(keepsCallers({}, false)).toBe(false);
  });

  it('keeps the share OTEL_TRACES_SAMPLER_ARG asks for when only it is set, parent-based as before the sampler was named', () => {
    expect(shareKept({ OTEL_TRACES_SAMPLER_ARG: '0.25' })).toBeCloseTo(0.25, 2);
    expect(keepsCallers({ OTEL_TRACES_SAMPLER_ARG: '0.25' }, true)).toBe(true);
  });

  it('records nothing with always_off, even a trace its caller sampled', () => {
    expect(shareKept({ OTEL_TRACES_SAMPLER: 'always_off' })).toBe(0);
    expect(keepsCallers({ OTEL_TRACES_SAMPLER: 'always_off' }, true)).toBe(false);
  });

  it('records only the traces callers sampled with parentbased_always_off', () => {
    expect(shareKept({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toBe(0);
    expect(keepsCallers({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, true)).toBe(true);
  });

  it('decides by the trace id alone with traceidratio, whatever the caller decided', () => {
    const env = { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' };
    expect(shareKept(env)).toBe(0);
    expect(keepsCallers(env, true)).toBe(false);
  });

  it('ignores the argument for a sampler that takes none', () => {
    expect(shareKept({ OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_TRACES_SAMPLER_ARG: '0' })).toBe(1);
  });

  it('refuses at start-up a sampler this server does not have, naming the ones it has', () => {
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(/OTEL_TRACES_SAMPLER: must be one of always_on, always_off, traceidratio/);
  });
});
