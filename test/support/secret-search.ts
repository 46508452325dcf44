/**
 * The one secret search every test uses (pipeline, API, chaos): a code is "found" in a text if the text holds
 * the code or one of its common encodings — base64, base64url, hex (either case), URL-encoded — or any
 * 16-character piece of the code itself (a truncated or split copy still gives it away).
 *
 * Every needle is at least 16 characters long, so each occurrence covers a text position that is a multiple of
 * 8 followed by 8 characters of the needle: reading the text's 8-character grams at every 8th position against
 * a map of the needles' grams finds them all, in time linear in the text, however many codes there are.
 */

export const MIN_PIECE = 16;
/** half the shortest needle: every occurrence holds a whole gram at a multiple of GRAM */
const GRAM = MIN_PIECE / 2;

export interface SecretHaystack {
  readonly where: string;
  readonly text: string;
}

export interface SecretLeak {
  readonly where: string;
  /** how the code appeared: plain, base64, base64url, hex, HEX, url, piece */
  readonly encoding: string;
  /** index of the code in the list searched */
  readonly code: number;
}

interface Needle {
  readonly text: string;
  readonly encoding: string;
  readonly code: number;
}

/** The forms a code is looked for in, each tagged with its encoding. */
export function encodingsOf(code: string): { encoding: string; text: string }[] {
  const bytes = Buffer.from(code, 'utf8');
  const forms = [
    { encoding: 'plain', text: code },
    { encoding: 'base64', text: bytes.toString('base64') },
    { encoding: 'base64', text: bytes.toString('base64').replace(/=+$/, '') },
    { encoding: 'base64url', text: bytes.toString('base64url') },
    { encoding: 'hex', text: bytes.toString('hex') },
    { encoding: 'HEX', text: bytes.toString('hex').toUpperCase() },
    { encoding: 'url', text: encodeURIComponent(code) },
    { encoding: 'url', text: new URLSearchParams({ c: code }).toString().slice(2) },
  ];
  for (let i = 0; i + MIN_PIECE <= code.length; i++) forms.push({ encoding: 'piece', text: code.slice(i, i + MIN_PIECE) });
  const seen = new Set<string>();
  return forms.filter((f) => f.text.length >= MIN_PIECE && !seen.has(f.text) && seen.add(f.text));
}

/** Every (place, encoding, code) where one of `codes` shows; empty when none leaked. */
export function findSecrets(codes: readonly string[], haystacks: readonly SecretHaystack[]): SecretLeak[] {
  // hash of a gram → every (needle, offset of the gram in it); numbers, so the scan allocates nothing
  const grams = new Map<number, { needle: Needle; offset: number }[]>();
  codes.forEach((code, index) => {
    if (code.length < MIN_PIECE) throw new Error(`secret search: a code of ${code.length} characters is shorter than ${MIN_PIECE}`);
    for (const { encoding, text } of encodingsOf(code)) {
      const needle = { text, encoding, code: index };
      for (let offset = 0; offset + GRAM <= text.length; offset++) {
        const gram = gramHash(text, offset);
        const list = grams.get(gram) ?? [];
        list.push({ needle, offset });
        grams.set(gram, list);
      }
    }
  });
  const leaks: SecretLeak[] = [];
  for (const { where, text } of haystacks) {
    const found = new Set<string>();
    for (let i = 0; i + GRAM <= text.length; i += GRAM) {
      const hits = grams.get(gramHash(text, i));
      if (hits === undefined) continue;
      for (const { needle, offset } of hits) {
        const key = `${needle.code}:${needle.encoding}`;
        const at = i - offset;
        if (!found.has(key) && at >= 0 && text.startsWith(needle.text, at)) {
          found.add(key);
          leaks.push({ where, encoding: needle.encoding, code: needle.code });
        }
      }
    }
  }
  return leaks;
}

/** FNV-1a over the GRAM characters at `at` (a hit is then checked on the text itself) */
function gramHash(text: string, at: number): number {
  let h = 0x811c9dc5;
  for (let k = at; k < at + GRAM; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
  return h >>> 0;
}

/** One line per place: "logs: 3 code(s) (base64, piece)"; for assertion messages and reports. */
export function describeLeaks(leaks: readonly SecretLeak[]): string[] {
  const byPlace = new Map<string, { codes: Set<number>; encodings: Set<string> }>();
  for (const l of leaks) {
    const entry = byPlace.get(l.where) ?? { codes: new Set<number>(), encodings: new Set<string>() };
    entry.codes.add(l.code);
    entry.encodings.add(l.encoding);
    byPlace.set(l.where, entry);
  }
  return [...byPlace].map(([where, e]) => `${where}: ${e.codes.size} code(s) (${[...e.encodings].join(', ')})`);
}
