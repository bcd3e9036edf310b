import {
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { type Role } from '../tokens/token-claims';
import { type ServicePrincipal, type UserPrincipal } from './principal';

export const IS_PUBLIC = 'runnerly:is-public';
export const REQUIRED_ROLES = 'runnerly:required-roles';
export const REQUIRED_SCOPES = 'runnerly:required-scopes';
export const REQUIRES_RECENT_AUTHENTICATION = 'runnerly:requires-recent-authentication';

/** Opts a route out of authentication. Everything else requires a valid user access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Restricts a route to users holding one of these roles (checked by RolesGuard). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/**
 * Makes a route a service-to-service route: it then accepts only a service token (never a user's access
 * token) that carries every listed scope.
 */
export const Scopes = (...scopes: string[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/**
 * Step-up: the route also needs the user to have entered their password recently in this session (checked by
 * RecentAuthenticationGuard), so that a stolen access token alone cannot do what cannot be undone.
 */
export const RequireRecentAuthentication = () => SetMetadata(REQUIRES_RECENT_AUTHENTICATION, true);

/** The authenticated user of the request. Use it on user routes only. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserPrincipal => {
    const principal = context.switchToHttp().getRequest<{ user?: { kind?: string } }>().user;
    if (principal?.kind !== 'user') throw new UnauthorizedException();
    return principal as UserPrincipal;
  },
);

/** The calling service of a `@Scopes(...)` route. */
export const CurrentService = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ServicePrincipal => {
    const principal = context.switchToHttp().getRequest<{ user?: { kind?: string } }>().user;
    if (principal?.kind !== 'service') throw new UnauthorizedException();
    return principal as ServicePrincipal;
  },
);
