/**
 * The value of the one cookie called `name` in a request's `Cookie` header, if it has the expected `shape`.
 * Two cookies of one name mean someone planted one (cookies are not kept apart by port, and a browser that
 * ignores the `__Host-` rules lets a sibling subdomain set one): neither is used.
 */
export function soleCookieValue(
  cookieHeader: string | undefined,
  name: string,
  shape: RegExp,
): string | undefined {
  if (cookieHeader === undefined) return undefined;
  const values = cookieHeader
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
  return values.length === 1 && shape.test(values[0]!) ? values[0] : undefined;
}
