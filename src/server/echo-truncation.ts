import { ECHO_LIMIT } from '../errors.js';

/**
 * Error messages that repeat what the caller sent (an id, a username, a type name, a value that
 * failed coercion) must not send it all back: one NOT_FOUND once echoed a 900 KB variable. A run
 * of more than ECHO_LIMIT characters without whitespace (ids and names have none) is cut to
 * ECHO_LIMIT characters and an ellipsis, and a whole message to MESSAGE_LIMIT.
 */
export const MESSAGE_LIMIT = 1_024;

const LONG_RUN = new RegExp(`\\S{${ECHO_LIMIT + 1},}`, 'g');

export function truncateEchoes(message: string): string {
  const short = message.replace(LONG_RUN, (run) => `${cut(run, ECHO_LIMIT)}…`);
  return short.length > MESSAGE_LIMIT ? `${cut(short, MESSAGE_LIMIT)}…` : short;
}

/** The first `length` UTF-16 units, without leaving half of a surrogate pair at the end. */
function cut(text: string, length: number): string {
  const head = text.slice(0, length);
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
}
