import { setTimeout as sleep } from 'node:timers/promises';

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

/**
 * A client of the public API, as a web or mobile app would be: HTTP or HTTPS to the gateway, nothing else.
 * `defaultHeaders` go with every request (a test's client address, say); `fetchImpl` is how (one that trusts
 * the compose stack's CA, for its HTTPS gateway).
 */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async call<Body = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; headers?: Record<string, string>; body?: string } = {},
  ): Promise<ApiResponse<Body>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const response = await this.send(method, path, {
      headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (response.body ? JSON.parse(response.body) : {}) as Body,
    };
  }

  /** A request as given, its answer as text: for bodies and answers that may be anything. */
  async send(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<ApiResponse<string>> {
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.defaultHeaders, ...options.headers },
      body: options.body,
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  static nextEmail(name = 'runner'): string {
    return `${name}.${++accounts}.${Date.now()}@runnerly.example`;
  }

  /** Registers a new account and logs in: two calls through the gateway, to users, to PostgreSQL. */
  async signUp(name = 'runner', password = 'a good long passphrase 1'): Promise<Account> {
    const email = GatewayClient.nextEmail(name);
    const registered = await this.postCredentials<{ id: string }>('/api/auth/register', {
      email,
      password,
      displayName: name,
    });
    if (registered.status !== 201)
      throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    return { id: registered.body.id, ...(await this.logIn(email, password)) };
  }

  async logIn(email: string, password: string): Promise<Omit<Account, 'id'>> {
    const login = await this.postCredentials<{ accessToken: string; refreshToken: string }>(
      '/api/auth/login',
      {
        email,
        password,
      },
    );
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    return { email, password, ...login.body };
  }

  /**
   * A POST to a credentials route, sent once more after Retry-After when the answer is 429: the suites of one
   * stack share one client address and its credentials requests a minute (20 by default), which some spend on
   * purpose. For the steps that set a test up; a test of the limit itself uses `call`.
   */
  async postCredentials<Body>(path: string, json: unknown): Promise<ApiResponse<Body>> {
    const answer = await this.call<Body>('POST', path, { json });
    if (answer.status !== 429) return answer;
    await sleep(Number(answer.headers.get('retry-after') ?? 60) * 1_000);
    return this.call<Body>('POST', path, { json });
  }

  /** Records a run (a valid one, or with `overrides`) and returns it as stored. */
  async createRun(
    token: string,
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string } & Record<string, unknown>> {
    const run = await this.call<{ id: string }>('POST', '/api/runs', {
      token,
      json: {
        title: 'Easy run',
        distanceMeters: 8000,
        durationSeconds: 2700,
        startedAt: new Date(Date.now() - 3_600_000).toISOString(),
        ...overrides,
      },
    });
    if (run.status !== 201) throw new Error(`create run: ${run.status} ${JSON.stringify(run.body)}`);
    return run.body;
  }
}
