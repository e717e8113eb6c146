// The documents of a manifest file that can be Argo CD objects. Never throws: a document that
// does not parse carries its problems and no value; the caller decides whether that matters.
import { yamlDocuments } from '../yaml/file.js';

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
  /** Its text names the image updater (annotation prefix or CR group). */
  mentionsUpdater: boolean;
}

/**
 * The API server takes objects of up to 3 MiB (a request body limit; etcd stores less), so a
 * larger document can be no Application: it is not parsed, however large the file.
 */
export const MAX_OBJECT_CHARS = 3 * 1024 * 1024;

/** Group every Argo CD kind (and the image updater's CRs) is under. */
const ARGO = 'argoproj.io';
/** In every image-updater annotation key and in the ImageUpdater CR's group. */
const UPDATER = 'argocd-image-updater.argoproj.io';

/** Whether `text` names the image updater at all: a cheap test before (or instead of) a parse. */
export function mentionsUpdater(text: string): boolean {
  return text.includes(UPDATER);
}

/**
 * Documents that mention argoproj.io, parsed one at a time (each node tree is dropped once its
 * value is taken); the others are skipped without building their trees.
 */
export function* loadYamlDocuments(content: string): Generator<YamlDoc> {
  // Filled while the next accepted document is sought, so yielded before it, in file order.
  const tooLarge: YamlDoc[] = [];
  const updater = new Set<number>();
  const docs = yamlDocuments(content, {
    accept: (span, index) => {
      if (!span.includes(ARGO)) return false;
      const named = mentionsUpdater(span);
      if (span.length <= MAX_OBJECT_CHARS) {
        if (named) updater.add(index);
        return true;
      }
      tooLarge.push({
        index,
        value: undefined,
        problems: [],
        duplicateKeys: [],
        tooLarge: span.length,
        mentionsUpdater: named
      });
      return false;
    }
  });
  for (const doc of docs) {
    yield* tooLarge.splice(0);
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
    yield {
      index: doc.index,
      value,
      problems,
      duplicateKeys: doc.repeatedKeys,
      mentionsUpdater: updater.has(doc.index)
    };
  }
  yield* tooLarge.splice(0);
}

/** A file under a `templates/` folder with template actions: a chart's template, meaningless unrendered. */
export function isHelmTemplate(file: { path: string; content: string }): boolean {
  return /(^|\/)templates\//.test(file.path) && file.content.includes('{{');
}
