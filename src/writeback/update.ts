// What every writer is given, in a module of its own so that writers and the planner that picks
// one do not import each other.
import type { ImageSpec } from '../model.js';

/** One image's new version as written: `digest` is set only when it is written (digest strategy). */
export interface ImageUpdate {
  image: ImageSpec;
  tag: string;
  digest?: string;
}
