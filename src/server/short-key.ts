import { createHash } from 'node:crypto';

/**
 * A cache-key part of at most 64 characters: short text as it is, longer text as its SHA-256.
 * Keys built from what a caller sent (variables) must not hold megabytes of it, and hashing every
 * short one would cost each warm request a digest for nothing.
 */
export const shortKey = (text: string): string => (text.length <= 64 ? text : createHash('sha256').update(text).digest('base64url'));
