/**
 * The objects that are terms with no terms inside them: pids, refs, binaries (Uint8Array,
 * Buffer included), dates and regular expressions, and the BEAM leaves (Float, Bitstring,
 * BeamPort, BeamFun, BeamExport; a BeamRef is a Ref). The term check (check.ts, check-deep.ts)
 * and the description of what cannot travel (unencodable.ts) accept them without a walk.
 */
import { Pid } from './pid.js';
import { Ref } from './ref.js';
import { Float } from './beam-float.js';
import { Bitstring } from './beam-binary.js';
import { BeamExport, BeamFun, BeamPort } from './beam-opaque.js';

/** True for a leaf term object (the most frequent kinds are tested first). */
export function isLeafObject(o: object): boolean {
  return o instanceof Pid || o instanceof Uint8Array || o instanceof Ref || o instanceof Date || o instanceof RegExp || isBeamLeafObject(o);
}

/** True for a BEAM leaf: Float, Bitstring, BeamPort, BeamFun, BeamExport. */
export function isBeamLeafObject(o: object): boolean {
  return o instanceof Float || o instanceof Bitstring || o instanceof BeamPort || o instanceof BeamFun || o instanceof BeamExport;
}
