import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A page another site serves, with no CSP of its own, that tries to make the visitor's browser act on the
 * Runnerly site at `target`: the forgeries a CSRF defence must refuse. Its script records what each attempt
 * saw in `window.attempts` and sets `window.attemptsDone` when all have been made.
 */
function attackPage(target: string): string {
  const refresh = `${target}/api/auth/browser/refresh`;
  const logout = `${target}/api/auth/browser/logout`;
  return `<!doctype html>
<html><body>
<iframe name="sink" title="sink"></iframe>
<form id="logout-form" method="POST" action="${logout}" target="sink" enctype="text/plain">
  <input name='{"a":"' value='"}'>
</form>
<form id="refresh-form" method="POST" action="${refresh}" target="sink"></form>
<script>
window.attempts = {};
async function attempt(name, request) {
  try {
    const response = await request();
    window.attempts[name] = response.type === 'opaque' ? 'opaque' : response.status;
  } catch (error) {
    window.attempts[name] = 'refused by the browser';
  }
}
const json = { 'content-type': 'application/json', 'x-runnerly-csrf': '1' };
(async () => {
  await attempt('fetch with the custom header', () =>
    fetch(${JSON.stringify(refresh)}, { method: 'POST', credentials: 'include', headers: json, body: '{}' }));
  await attempt('no-cors fetch to refresh', () =>
    fetch(${JSON.stringify(refresh)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' }));
  await attempt('no-cors fetch to logout', () =>
    fetch(${JSON.stringify(logout)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' }));
  document.getElementById('logout-form').submit();
  await new Promise((resolve) => setTimeout(resolve, 300));
  document.getElementById('refresh-form').submit();
  await new Promise((resolve) => setTimeout(resolve, 300));
  window.attemptsDone = true;
})();
</script>
</body></html>`;
}

/** The attacker's web server, on 127.0.0.1: reach it as `localhost` for a same-site origin, as 127.0.0.1 for another site. */
export class AttackerSite {
  private constructor(private readonly server: Server) {}

  static async start(target: string): Promise<AttackerSite> {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackPage(target));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new AttackerSite(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
