// Multi-document YAML loading. Never throws: a document that does not parse carries its problems
// and no value; the caller decides whether that matters for the file.
import { isScalar, LineCounter, parseAllDocuments, visit } from 'yaml';

export interface YamlDoc {
  /** 0-based position in the file. */
  index: number;
  /** Plain JS value (undefined when the document does not parse). */
  value: unknown;
  /** Parse errors, one line each with position. */
  problems: string[];
  /** Keys repeated within one mapping, as `key (line N)`. */
  duplicateKeys: string[];
}

export function loadYamlDocuments(content: string): YamlDoc[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(content, { lineCounter, merge: true, uniqueKeys: false });
  if (!Array.isArray(parsed)) return [];
  return parsed.map((doc, index) => {
    const problems = doc.errors.map((e) => e.message.split('\n')[0]!);
    const duplicateKeys: string[] = [];
    visit(doc, {
      Map(_, map) {
        const seen = new Set<string>();
        for (const { key } of map.items) {
          if (!isScalar(key) || key.value === '<<') continue;
          const name = String(key.value);
          if (seen.has(name))
            duplicateKeys.push(`${name} (line ${lineCounter.linePos(key.range?.[0] ?? 0).line})`);
          seen.add(name);
        }
      }
    });
    let value: unknown;
    if (!problems.length) {
      try {
        // Throws on alias bombs (more than 100 alias expansions).
        value = doc.toJS();
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return { index, value, problems, duplicateKeys };
  });
}
