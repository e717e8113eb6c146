// Ages as users write them (`min-age: 3d`): weeks, days, hours and minutes, largest first
// (`1d12h`). A supply-chain guard: a build younger than min-age is not proposed yet.

const UNITS = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 } as const;
const AGE = /^(?:(\d{1,6})w)?(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?$/;

/** Milliseconds of `text`, or undefined when it is not an age. */
export function parseAge(text: string): number | undefined {
  const match = AGE.exec(text.trim());
  if (!match || !text.trim()) return undefined;
  const [, w = '0', d = '0', h = '0', m = '0'] = match;
  return Number(w) * UNITS.w + Number(d) * UNITS.d + Number(h) * UNITS.h + Number(m) * UNITS.m;
}

/** `3d`, `2h30m`, `45m`: the largest units, down to minutes. */
export function formatAge(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / UNITS.m)) * UNITS.m;
  const parts: string[] = [];
  for (const [unit, size] of Object.entries(UNITS)) {
    const n = Math.floor(rest / size);
    if (n) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('') || '0m';
}
