import { Injectable, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { type Role } from '../tokens/token-claims';
import { IS_PUBLIC, REQUIRED_ROLES, REQUIRED_SCOPES } from './auth.decorators';

/** Who may call one route, as its decorators declare it. */
export interface RouteAccess {
  method: string;
  path: string;
  /** `public`, `roles: user admin`, `scopes: runs:purge`, or `UNDECLARED`. */
  access: string;
}

/**
 * Every route of the application and the access it declares. Authentication is global (secure by
 * default), but "any valid token" is not a decision: each route must say who it is for, `@Public()`,
 * `@Roles(...)` or `@Scopes(...)`, so a new route (or a new role) is never open by omission (OWASP API5:
 * broken function-level authorization). The application refuses to start while a route declares nothing.
 */
@Injectable()
export class RouteAccessAudit implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const undeclared = this.table().filter((route) => route.access === UNDECLARED);
    if (undeclared.length > 0) {
      throw new Error(
        `These routes declare no access (@Public(), @Roles(...) or @Scopes(...)): ${undeclared
          .map((route) => `${route.method} ${route.path}`)
          .join(', ')}`,
      );
    }
  }

  table(): RouteAccess[] {
    const routes: RouteAccess[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller || !wrapper.instance) continue;
      const prefixes = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const access = this.accessOf(handler, controller);
        for (const prefix of prefixes)
          for (const path of pathsOf(Reflect.getMetadata(PATH_METADATA, handler)))
            routes.push({ method: RequestMethod[method], path: joinPaths(prefix, path), access });
      }
    }
    return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
  }

  private accessOf(handler: object, controller: object): string {
    const targets = [handler as () => unknown, controller as () => unknown];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return 'public';
    const scopes = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets);
    if (scopes) return `scopes: ${scopes.join(' ')}`;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    return roles && roles.length > 0 ? `roles: ${roles.join(' ')}` : UNDECLARED;
  }
}

const UNDECLARED = 'UNDECLARED';

function pathsOf(metadata: unknown): string[] {
  if (Array.isArray(metadata)) return metadata.map(String);
  return [typeof metadata === 'string' ? metadata : '/'];
}

function joinPaths(prefix: string, path: string): string {
  const joined = `/${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}
