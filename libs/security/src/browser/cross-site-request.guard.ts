import { type CanActivate, type ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';

/** The header the web client sends with every request; a cross-site form or image cannot send it. */
export const CSRF_HEADER = 'x-runnerly-csrf';

/** The injection token of the one origin whose pages may use the browser session routes. */
export const TRUSTED_BROWSER_ORIGIN = Symbol('TRUSTED_BROWSER_ORIGIN');

/**
 * Why a request to a cookie-authenticated route did not come from our own page, or undefined when it did.
 * Three independent checks (OWASP CSRF Prevention Cheat Sheet), each enough on its own in a current browser:
 *
 * 1. The custom header: a page of another origin can only add it through a CORS preflight, which the
 *    gateway refuses (the header is not in its CORS allowlist), and forms and images cannot add it at all.
 * 2. `Origin` equal to the site's public origin: browsers send it on every POST, and a page cannot forge it.
 *    This catches what `SameSite` cannot: another origin of the same site (`localhost:4000` is the same site
 *    as `localhost:3000`, as is a sibling subdomain), whose requests do carry `SameSite=Strict` cookies.
 * 3. `Sec-Fetch-Site` (Fetch Metadata), when the browser sends it, must be `same-origin`.
 *
 * A request without `Origin` is refused: only non-browser clients omit it, and they have bearer routes.
 */
export function crossSiteRequestProblem(
  headers: FastifyRequest['headers'],
  trustedOrigin: string,
): string | undefined {
  if (headers[CSRF_HEADER] !== '1') return `missing ${CSRF_HEADER} header`;
  if (headers.origin !== trustedOrigin) return 'origin is not the site';
  const fetchSite = headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin') return `sec-fetch-site is ${String(fetchSite)}`;
  return undefined;
}

/** Refuses, with 403 and an audit line, a request that `crossSiteRequestProblem` finds fault with. */
@Injectable()
export class CrossSiteRequestGuard implements CanActivate {
  constructor(
    @Inject(TRUSTED_BROWSER_ORIGIN) private readonly trustedOrigin: string,
    private readonly audit: AuditLog,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const problem = crossSiteRequestProblem(request.headers, this.trustedOrigin);
    if (problem === undefined) return true;
    this.audit.record(AuditEvent.CrossSiteRequestRefused, {
      reason: problem,
      path: request.routeOptions.url,
    });
    throw new AppException(
      ErrorCode.CrossSiteRequestRefused,
      `This route serves the web client's own pages only (${problem}).`,
    );
  }
}

/**
 * Marks a route that authenticates by the refresh cookie (or sets it): only the site's own pages may call
 * it. Provide TRUSTED_BROWSER_ORIGIN in the module.
 */
export const BrowserSessionEndpoint = (): MethodDecorator & ClassDecorator =>
  UseGuards(CrossSiteRequestGuard);
