import { describe, expect, it } from 'vitest';
import { createLogger, gatewayLogger } from '../../src/observability/logger.js';
import { CENSOR, SECRET_FIELDS, redactSecrets } from '../../src/observability/log-redaction.js';

/** The log's second line of defence: secret-named fields censored, everything else untouched. */
describe('redactSecrets', () => {
  it('hands back the same object when a line holds no secret', () => {
    const fields = { requestId: 'r1', method: 'GET', route: '/accounts/api/me', status: 200, durationMs: 21.3, attempt: 1, nested: { a: [1, { b: 2 }] } };
    expect(redactSecrets(fields)).toBe(fields);
  });

  it('censors every secret field at the top level and one and two levels down', () => {
    for (const name of SECRET_FIELDS) {
      const line = redactSecrets({ [name]: 'top', a: { [name]: 'one' }, b: { c: { [name]: 'two' } }, kept: 'k' });
      expect(line).toEqual({ [name]: CENSOR, a: { [name]: CENSOR }, b: { c: { [name]: CENSOR } }, kept: 'k' });
    }
  });

  it('leaves fields three levels down alone, as the pino paths it replaced did', () => {
    const deep = { a: { b: { c: { token: 'deep' } } } };
    expect(redactSecrets(deep)).toBe(deep);
  });

  it('looks inside arrays and censors whole secret-named objects', () => {
    expect(redactSecrets({ calls: [{ token: 't' }, { id: 1 }], password: { hash: 'h' } })).toEqual({ calls: [{ token: CENSOR }, { id: 1 }], password: CENSOR });
  });

  it('never changes the caller\'s object', () => {
    const headers = { authorization: 'Bearer x', accept: 'application/json' };
    const fields = { headers, requestId: 'r1' };
    const line = redactSecrets(fields);
    expect(line.headers.authorization).toBe(CENSOR);
    expect(fields.headers).toBe(headers);
    expect(headers.authorization).toBe('Bearer x');
  });

  it('leaves an undefined secret field out rather than writing it as censored', () => {
    const fields = { token: undefined, requestId: 'r1' };
    expect(redactSecrets(fields)).toBe(fields);
  });

  it('keeps an error an error (class, message) when one of its fields is censored', () => {
    const out: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (chunk: string) => void out.push(chunk) } });
    const error = Object.assign(new RangeError('went wrong'), { token: 'leaked-token', code: 'E1' });
    logger.error({ err: error }, 'failed');
    const line = JSON.parse(out.join('')) as { err: Record<string, unknown> };
    expect(out.join('')).not.toContain('leaked-token');
    expect(line.err).toEqual(expect.objectContaining({ type: 'RangeError', message: 'went wrong', token: CENSOR, code: 'E1' }));
    expect(error.token).toBe('leaked-token');
  });

  it('writes an ordinary line unchanged through the gateway logger', () => {
    const out: string[] = [];
    const logger = gatewayLogger(createLogger({ level: 'info', destination: { write: (chunk: string) => void out.push(chunk) } }));
    logger.info('upstream call', { requestId: 'r1', method: 'GET', route: '/accounts/api/me', status: 200, durationMs: 21.3, attempt: 1 });
    expect(JSON.parse(out.join(''))).toEqual(
      expect.objectContaining({ level: 'info', msg: 'upstream call', service: 'anypoint-graph', requestId: 'r1', method: 'GET', route: '/accounts/api/me', status: 200, durationMs: 21.3, attempt: 1 }),
    );
  });
});
