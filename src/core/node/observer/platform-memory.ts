/**
 * What the platform says about memory, read from globals that may be missing (core imports
 * nothing platform-specific): Node's `process.memoryUsage()`, Chromium's `performance.memory`.
 */
import type { PlatformMemory } from './types.js';

interface MemoryGlobals {
  process?: { memoryUsage?: () => { rss: number; heapUsed: number; heapTotal: number } };
  performance?: { memory?: { usedJSHeapSize: number; totalJSHeapSize: number } };
  document?: unknown;
}

const g = globalThis as unknown as MemoryGlobals;

/** The platform's memory figures, or undefined where it cannot tell. */
export function platformMemory(): PlatformMemory | undefined {
  try {
    const usage = g.process?.memoryUsage?.();
    if (usage) return { heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, rss: usage.rss, source: 'process.memoryUsage' };
    const m = g.performance?.memory;
    if (m) return { heapUsed: m.usedJSHeapSize, heapTotal: m.totalJSHeapSize, source: 'performance.memory' };
  } catch {
    // A platform that throws here simply cannot tell.
  }
  return undefined;
}

/** Which kind of platform this is. */
export function platformKind(): 'server' | 'browser' | 'other' {
  if (typeof g.process?.memoryUsage === 'function') return 'server';
  if (g.document !== undefined) return 'browser';
  return 'other';
}
