/**
 * Shape checks for terms received from elsewhere (another node, a mailbox): one place for the
 * guards the services and the frame checks repeat.
 */
export { isPid } from './pid.js';
export { isRef } from './ref.js';

export const isStr = (x: unknown): x is string => typeof x === 'string';

/** A list of strings. */
export const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);
