/**
 * GRAPHQL_MAX_RESPONSE_MB: an answer whose JSON would be larger goes out as one
 * RESPONSE_TOO_LARGE error instead. Demand control has already refused operations estimated to
 * be this large; this catches what the estimate could not see (long strings, say).
 */
export function capResponse(maxBytes: number, stringify: (result: { data?: unknown; errors?: unknown; extensions?: unknown }) => string) {
  return (result: { data?: unknown; errors?: unknown; extensions?: unknown }): string => {
    let body: string;
    try {
      body = stringify(result);
    } catch (error) {
      // Past V8's longest string, JSON.stringify throws: that answer is too large by any measure.
      if (!(error instanceof RangeError)) throw error;
      return tooLarge(maxBytes);
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when the length says it could matter.
    if (body.length * 3 <= maxBytes || Buffer.byteLength(body) <= maxBytes) return body;
    return tooLarge(maxBytes);
  };
}

function tooLarge(maxBytes: number): string {
  const megabytes = Math.round((maxBytes / 1_048_576) * 10) / 10;
  return `${JSON.stringify({
    errors: [
      {
        message: `The answer is larger than ${megabytes} MB (GRAPHQL_MAX_RESPONSE_MB); ask for fewer fields or smaller pages`,
        extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes },
      },
    ],
  })}\n`;
}
