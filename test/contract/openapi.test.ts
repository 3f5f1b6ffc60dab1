import { describe, expect, it } from 'vitest';
import { validateResponse, type OperationRef } from './openapi.js';

/** The validation glue itself: OpenAPI 3.0 nullable handling and property relaxations. */

const apiDetail: OperationRef = {
  file: 'apim.openapi.yaml',
  method: 'GET',
  path: '/api/v1/organizations/{orgId}/environments/{envId}/apis/{envApiId}',
};

describe('the OpenAPI validation helper', () => {
  it('accepts null where the spec says nullable: true', async () => {
    expect(await validateResponse(apiDetail, 200, { description: null })).toEqual({ errors: [] });
  });

  it('rejects null where the spec does not say nullable', async () => {
    const result = await validateResponse(apiDetail, 200, { instanceLabel: null });
    expect(result.errors).toEqual([expect.stringContaining('/instanceLabel must be string')]);
  });

  it('rejects a wrong type inside a dereferenced $ref', async () => {
    const result = await validateResponse(apiDetail, 200, { endpoint: { muleVersion4OrAbove: 'yes' } });
    expect(result.errors).toEqual([expect.stringContaining('/endpoint/muleVersion4OrAbove must be boolean')]);
  });

  it('widens only the relaxed property', async () => {
    const relaxed = [{ property: 'instanceLabel', accepts: 'null' as const }];
    expect(await validateResponse(apiDetail, 200, { instanceLabel: null }, relaxed)).toEqual({ errors: [] });
    expect((await validateResponse(apiDetail, 200, { instanceLabel: 7 }, relaxed)).errors).not.toEqual([]);
  });

  it('refuses to relax a property the spec schema does not have', async () => {
    await expect(validateResponse(apiDetail, 200, {}, [{ property: 'nonsense', accepts: 'anything' }])).rejects.toThrow(/no property nonsense/);
  });

  it('reports when the spec gives a status no JSON schema', async () => {
    expect(await validateResponse(apiDetail, 401, {})).toMatchObject({ errors: null });
  });
});
