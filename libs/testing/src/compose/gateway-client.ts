/** A JSON response: status, headers and the parsed body. */
export interface ApiResponse<Body = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: Body;
}

export interface Account {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let accounts = 0;

/** What a browser or mobile app would do: plain HTTP to the published gateway port, nothing else. */
export class GatewayClient {
  constructor(readonly baseUrl: string) {}

  async call<Body = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<Body>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : {}) as Body,
    };
  }

  static nextEmail(name: string): string {
    return `${name}.${++accounts}.${Date.now()}@containers.example`;
  }

  /** Registers a new account and logs in: two calls through the gateway, to users, to PostgreSQL. */
  async signUp(name: string, password = 'a long and unguessable passphrase'): Promise<Account> {
    const email = GatewayClient.nextEmail(name);
    const registered = await this.call<{ id: string }>('POST', '/api/auth/register', {
      json: { email, password, displayName: name },
    });
    if (registered.status !== 201)
      throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    const login = await this.call<{ accessToken: string; refreshToken: string }>('POST', '/api/auth/login', {
      json: { email, password },
    });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    return { id: registered.body.id, email, password, ...login.body };
  }
}
