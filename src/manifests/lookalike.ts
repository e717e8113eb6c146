// Annotation keys that look like Argo CD Image Updater's but are not: a Cyrillic "о", a fullwidth
// dot, an en dash or a capital letter in the prefix. Neither Image Updater nor we read them, and
// the person who wrote one believes the app is configured, so each is named in the report.

import { PREFIX } from './annotations.js';

/** Letters that render like the ones of our prefix (Unicode confusables, the few that matter here). */
const CONFUSABLE: Record<string, string> = {
  '\u0430': 'a',
  '\u03b1': 'a',
  '\u0251': 'a',
  '\u0441': 'c',
  '\u03f2': 'c',
  '\u217d': 'c',
  '\u0501': 'd',
  '\u217e': 'd',
  '\u0435': 'e',
  '\u0454': 'e',
  '\u0261': 'g',
  '\u0581': 'g',
  '\u0456': 'i',
  '\u03b9': 'i',
  '\u0131': 'i',
  '\u2170': 'i',
  '\u0458': 'j',
  '\u03f3': 'j',
  '\u217f': 'm',
  '\u043e': 'o',
  '\u03bf': 'o',
  '\u0585': 'o',
  '\u0ce6': 'o',
  '\u0440': 'p',
  '\u03c1': 'p',
  '\u0433': 'r',
  '\u0455': 's',
  '\u0442': 't',
  '\u057d': 'u',
  '\u03c5': 'u',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u00ad': '',
  '\u2024': '.',
  '\u2027': '.',
  '\u00b7': '.',
  '\u2215': '/',
  '\u2044': '/',
  '\u200b': '',
  '\u200c': '',
  '\u200d': '',
  '\u2060': '',
  '\ufeff': ''
};

/** What a key's prefix looks like to a reader: compatibility forms folded, case and confusables undone. */
function skeleton(text: string): string {
  return [...text.normalize('NFKC').toLowerCase()].map((c) => CONFUSABLE[c] ?? c).join('');
}

/** The annotation keys that read as ours to a person but are not, each with what differs. */
export function lookalikeKeys(annotations: Record<string, unknown>): { key: string; reason: string }[] {
  return Object.keys(annotations)
    .filter(
      // Only the prefix matters (a few characters more for zero-widths a reader does not see).
      (key) => !key.startsWith(PREFIX) && skeleton(key.slice(0, PREFIX.length + 8)).startsWith(PREFIX)
    )
    .map((key) => {
      let i = 0;
      while (key[i] === PREFIX[i]) i++;
      // A compatibility form can make the key shorter than the prefix it reads as.
      const hex = (key.codePointAt(i) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      return {
        key,
        reason:
          `annotation ${key} is ignored: it looks like ${PREFIX}… but character ${i + 1} is U+${hex}, ` +
          `not "${PREFIX[i]}"`
      };
    });
}
