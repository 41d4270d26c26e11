/**
 * OTP behaviours: genServer (gen_server) and supervisor, built from ordinary processes and
 * two built-in modules (`gen_server`, `supervisor`) that every node loads. What each exports is
 * listed in its own index; the package's public API (src/core/index.ts) picks from here.
 */
export * from './gen-server/index.js';
export * from './supervisor/index.js';
