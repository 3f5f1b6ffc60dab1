import { describe, expect, it } from 'vitest';
import { redactInput } from '../../src/audit/redact.js';

describe('redactInput', () => {
  it('replaces secrets at any depth, including inside arrays, and keeps everything else', () => {
    const input = {
      userName: 'jdoe',
      password: 'hunter2',
      credentials: { clientSecret: 's3cr3t', accessToken: 'tok', apiKey: 'k1', api_key: 'k2', Authorization: 'Bearer x', passcode: 1234 },
      members: [{ id: 'u1', refreshToken: 'r' }, 'plain', 7, null],
      idempotencyKey: 'idem-1',
    };
    expect(redactInput(input)).toEqual({
      userName: 'jdoe',
      password: '[REDACTED]',
      credentials: {
        clientSecret: '[REDACTED]',
        accessToken: '[REDACTED]',
        apiKey: '[REDACTED]',
        api_key: '[REDACTED]',
        Authorization: '[REDACTED]',
        passcode: '[REDACTED]',
      },
      members: [{ id: 'u1', refreshToken: '[REDACTED]' }, 'plain', 7, null],
      idempotencyKey: 'idem-1',
    });
  });

  it('keeps only the last two digits of a phone number', () => {
    expect(redactInput({ phoneNumber: '+1 (555) 010-4567', other: { phoneNumber: '0612345678' } })).toEqual({
      phoneNumber: '•••••67',
      other: { phoneNumber: '•••••78' },
    });
    expect(redactInput({ phoneNumber: '12' })).toEqual({ phoneNumber: '•••••' });
    expect(redactInput({ phoneNumber: null })).toEqual({ phoneNumber: null });
  });

  it('returns a copy and leaves its argument untouched', () => {
    const input = { password: 'p', profile: { phoneNumber: '5550104567', tags: ['a'] } };
    const before = structuredClone(input);
    const out = redactInput(input) as typeof input;
    expect(input).toEqual(before);
    expect(out.profile).not.toBe(input.profile);
    expect(out.profile.tags).not.toBe(input.profile.tags);
  });

  it('passes primitives through', () => {
    expect([redactInput('x'), redactInput(3), redactInput(null), redactInput(undefined)]).toEqual(['x', 3, null, undefined]);
  });
});
