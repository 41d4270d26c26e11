/**
 * The gen_server behaviour now lives in gen-server/. This module keeps the old path for the
 * two importers outside behaviours/ (modules/builtins.ts, book/kvs-server.ts); remove it once
 * they import `behaviours/index.js`.
 */
export * from './gen-server/index.js';
export { sameTerm } from '../terms/equal.js';
