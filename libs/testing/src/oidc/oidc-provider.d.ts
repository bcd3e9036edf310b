// oidc-provider ships no types (and @types/oidc-provider trails its releases): the little the tests use.
declare module 'oidc-provider' {
  import { type IncomingMessage, type ServerResponse } from 'node:http';

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantClass {
    new (properties: { clientId: string; accountId: string | undefined }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface KoaContextWithOIDC {
    oidc: {
      provider: { Grant: GrantClass };
      result?: { consent?: { grantId?: string } };
      session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
      client?: { clientId: string };
    };
  }

  export type Configuration = Record<string, unknown>;

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    proxy: boolean;
    on(event: string, listener: (...args: unknown[]) => void): this;
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
