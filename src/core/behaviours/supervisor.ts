/**
 * The supervisor behaviour now lives in supervisor/. This module keeps the old path for
 * modules/builtins.ts; remove it once that imports `behaviours/index.js`.
 */
export * from './supervisor/index.js';
