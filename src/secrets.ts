// The forms a credential takes in text we print: as given, base64 (Basic auth, docker config
// `auth`), base64url (JWT parts) and URL-encoded (query strings, realms). Values too short to be
// a real secret are left alone: masking a one-character token would garble every other message.

import { trimTrailing } from './strings.js';

export const MIN_SECRET_LENGTH = 6;

export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    bytes.toString('base64'),
    trimTrailing(bytes.toString('base64'), '='),
    bytes.toString('base64url')
  ]);
  return [...forms];
}

/** `text` with every form of every secret replaced by `***`, longest first. */
export function scrub(text: string, secrets: Iterable<string>): string {
  const forms = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
  return forms.reduce((out, form) => out.split(form).join('***'), text);
}
