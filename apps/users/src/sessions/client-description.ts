/** Long enough for any browser's User-Agent to name the browser and the system; bounded like every stored field. */
export const MAX_CLIENT_DESCRIPTION_LENGTH = 120;

/** Anything but printable ASCII (controls, escapes, other scripts) becomes a space; spaces collapse. */
const NOT_PRINTABLE_ASCII = /[^\x21-\x7e]+/g;

/**
 * How a session describes its client to the owner: the User-Agent sent at login, cut to printable ASCII and
 * MAX_CLIENT_DESCRIPTION_LENGTH characters. The header is whatever the client chose to send (a hint to
 * recognise one's own devices, never proof of anything), so it is stored without control characters that
 * could rewrite a terminal or a log viewer, and bounded so that no client can grow the table. None when absent.
 */
export function describeClient(userAgent: string | undefined): string | null {
  const described = (userAgent ?? '')
    .replace(NOT_PRINTABLE_ASCII, ' ')
    .trim()
    .slice(0, MAX_CLIENT_DESCRIPTION_LENGTH)
    .trimEnd();
  return described === '' ? null : described;
}
