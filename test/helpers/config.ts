import { expect } from 'vitest';
import { ConfigError, readConfig } from '../../src/config/config.js';

/** The problems of the ConfigError readConfig(env) throws; fails the test when it throws none. */
export function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  expect.fail(`readConfig(${JSON.stringify(env)}) did not throw a ConfigError`);
}
