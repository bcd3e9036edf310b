/** True when `error` is a Node system error with this `code` (ENOENT, EEXIST, ESRCH, ...). */
export function hasErrorCode(error: unknown, code: string): boolean {
  // Duck-typed rather than `instanceof Error`: errors from another realm (jest's sandbox) fail that test.
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
