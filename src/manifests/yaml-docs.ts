// The documents of a manifest file that can be Argo CD objects. Never throws: a document that
// does not parse carries its problems and no value; the caller decides whether that matters.
import { parseYamlFile } from '../yaml/file.js';

export interface YamlDoc {
  /** 0-based position in the file. */
  index: number;
  /** Plain JS value (undefined when the document does not parse or is too large). */
  value: unknown;
  /** Parse errors, one line each with position. */
  problems: string[];
  /** Keys repeated within one mapping, as `key (line N)`. */
  duplicateKeys: string[];
  /** Set for a document too large to be a Kubernetes object: its size in characters. */
  tooLarge?: number;
}

/**
 * The API server takes objects of up to 3 MiB (a request body limit; etcd stores less), so a
 * larger document can be no Application: it is not parsed, however large the file.
 */
export const MAX_OBJECT_CHARS = 3 * 1024 * 1024;

/** Group every Argo CD kind (and the image updater's CRs) is under. */
const ARGO = 'argoproj.io';

/** Documents that mention argoproj.io, parsed; the others are skipped without building their trees. */
export function loadYamlDocuments(file: string, content: string): YamlDoc[] {
  const tooLarge: YamlDoc[] = [];
  const { docs } = parseYamlFile(file, content, {
    accept: (span, index) => {
      if (!span.includes(ARGO)) return false;
      if (span.length <= MAX_OBJECT_CHARS) return true;
      tooLarge.push({ index, value: undefined, problems: [], duplicateKeys: [], tooLarge: span.length });
      return false;
    }
  });
  const parsed = docs.map((doc): YamlDoc => {
    const problems = [...doc.problems];
    let value: unknown;
    if (!problems.length) {
      try {
        // Throws on alias bombs (more than 100 alias expansions).
        value = doc.document.toJS();
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return { index: doc.index, value, problems, duplicateKeys: doc.repeatedKeys };
  });
  return [...parsed, ...tooLarge].sort((a, b) => a.index - b.index);
}
