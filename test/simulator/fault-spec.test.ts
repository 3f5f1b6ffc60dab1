import { describe, expect, it } from 'vitest';
import { FaultInjector, FaultSpecError, parseFaultSpec, parseLatency, validateFaultConfig } from '../../src/simulator/faults.js';
import { createRandom } from '../../src/simulator/random.js';

describe('parseLatency', () => {
  it('reads a fixed latency and a MIN-MAX range', () => {
    expect(parseLatency('20')).toEqual({ minMs: 20, maxMs: 20 });
    expect(parseLatency('0')).toEqual({ minMs: 0, maxMs: 0 });
    expect(parseLatency('20-150')).toEqual({ minMs: 20, maxMs: 150 });
    expect(parseLatency(' 7 ')).toEqual({ minMs: 7, maxMs: 7 });
  });

  it.each(['', 'abc', '-5', '1.5', '10-', '-10', '5-2', '10ms', '1-2-3', '10 - 20'])('rejects "%s"', (spec) => {
    expect(() => parseLatency(spec)).toThrow(FaultSpecError);
  });
});

describe('parseFaultSpec', () => {
  it('reads kinds, probabilities, times, methods and path globs', () => {
    expect(parseFaultSpec('503:0.2@/accounts/**,reset:0.05,drop:1x1@POST /accounts/api/organizations/*/users,429:1x3')).toEqual([
      { kind: '503', probability: 0.2, path: '/accounts/**' },
      { kind: 'reset', probability: 0.05 },
      { kind: 'drop', probability: 1, times: 1, method: 'POST', path: '/accounts/api/organizations/*/users' },
      { kind: '429', probability: 1, times: 3 },
    ]);
  });

  it('reads an empty spec as no rules', () => {
    expect(parseFaultSpec('')).toEqual([]);
    expect(parseFaultSpec('   ')).toEqual([]);
  });

  it.each([
    ['an unknown kind', '404:1'],
    ['a probability above 1', '500:1.5'],
    ['a missing probability', '500'],
    ['a non-numeric probability', '500:often'],
    ['zero times', '500:1x0'],
    ['a path without a leading slash', '500:1@accounts/**'],
    ['a lower-case method', '500:1@get /accounts'],
    ['an empty rule between commas', '500:1,,503:1'],
    ['trailing garbage', '500:1@/a /b'],
    ['a malformed number', '500:0.5.5'],
  ])('rejects %s (%s)', (_label, spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
  });
});

describe('validateFaultConfig', () => {
  it('defaults missing parts and upper-cases methods', () => {
    expect(validateFaultConfig(undefined)).toEqual({ latency: { minMs: 0, maxMs: 0 }, rules: [] });
    expect(validateFaultConfig({ latency: { minMs: 30 }, rules: [{ kind: '500', method: 'get' }] })).toEqual({
      latency: { minMs: 30, maxMs: 30 },
      rules: [{ kind: '500', probability: 1, method: 'GET' }],
    });
  });

  it.each([
    ['a negative latency', { latency: { minMs: -1, maxMs: 5 } }],
    ['an inverted latency range', { latency: { minMs: 10, maxMs: 5 } }],
    ['rules that are not an array', { rules: { kind: '500' } }],
    ['a rule with an unknown kind', { rules: [{ kind: 'slow' }] }],
    ['a negative probability', { rules: [{ kind: '500', probability: -0.1 }] }],
    ['fractional times', { rules: [{ kind: '500', times: 1.5 }] }],
    ['a non-string method', { rules: [{ kind: '500', method: 7 }] }],
    ['a relative path', { rules: [{ kind: '500', path: 'exchange/**' }] }],
    ['a bad spec string', { spec: 'drop' }],
  ])('rejects %s', (_label, config) => {
    expect(() => validateFaultConfig(config)).toThrow(FaultSpecError);
  });
});

describe('FaultInjector', () => {
  it('draws jittered latency inside the configured range, and not always the same value', () => {
    const injector = new FaultInjector({ latency: { minMs: 20, maxMs: 80 }, rules: [] }, createRandom('latency-test'));
    const draws = Array.from({ length: 200 }, () => injector.latencyMs());
    expect(draws.every((ms) => ms >= 20 && ms <= 80)).toBe(true);
    expect(new Set(draws.map((ms) => Math.round(ms))).size).toBeGreaterThan(10);
  });

  it('matches only the kinds asked for, and globs on the whole path', () => {
    const injector = new FaultInjector({ latency: { minMs: 0, maxMs: 0 }, rules: parseFaultSpec('drop:1@/a/*/c') }, createRandom(1));
    expect(injector.draw('POST', '/a/b/c', ['500', 'reset'])).toBeNull();
    expect(injector.draw('POST', '/a/b/c', ['drop'])).toBe('drop');
    expect(injector.draw('POST', '/a/b/x/c', ['drop'])).toBeNull();
    expect(injector.draw('POST', '/a/b/c/d', ['drop'])).toBeNull();
    expect(injector.draw('POST', '/x/a/b/c', ['drop'])).toBeNull();
  });

  it('treats glob metacharacters other than * literally', () => {
    const injector = new FaultInjector({ latency: { minMs: 0, maxMs: 0 }, rules: parseFaultSpec('500:1@/v1.0/items') }, createRandom(1));
    expect(injector.draw('GET', '/v1.0/items', ['500'])).toBe('500');
    expect(injector.draw('GET', '/v1x0/items', ['500'])).toBeNull();
  });
});
