// TikTok documents post ids as int64 and may send them as bare JSON numbers; 19-digit ids do not survive
// JSON.parse (2^53 is 16 digits). Integer literals beyond the safe range are turned into strings before parsing, so
// an id arrives exactly as TikTok sent it.

function isUnsafeIntegerLiteral(token: string): boolean {
  return /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token));
}

/** JSON.parse that keeps integers beyond Number.MAX_SAFE_INTEGER as their exact decimal strings. */
export function parseJsonKeepingLargeIntegers(text: string): unknown {
  let out = '';
  let i = 0;
  let copiedUpTo = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      // Skip the string, honouring escapes.
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      let end = i + 1;
      while (end < text.length && /[0-9eE.+-]/.test(text[end] ?? '')) end += 1;
      const token = text.slice(i, end);
      if (isUnsafeIntegerLiteral(token)) {
        out += `${text.slice(copiedUpTo, i)}"${token}"`;
        copiedUpTo = end;
      }
      i = end;
      continue;
    }
    i += 1;
  }
  return JSON.parse(out + text.slice(copiedUpTo)) as unknown;
}
