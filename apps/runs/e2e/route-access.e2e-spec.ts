import { RouteAccessAudit } from '@runnerly/security';
import { routesOutsideNest } from '@runnerly/security/testing';
import { RunsTestService } from './support/runs-test-service';

/** Whom each route of runs is for. A route added without saying so stops the service at start. */
const ACCESS = [
  ['GET', '/health/live', 'public'],
  ['GET', '/health/ready', 'public'],
  ['DELETE', '/internal/users/:userId/runs', 'scopes: runs:purge'],
  ['GET', '/runs', 'roles: user admin'],
  ['POST', '/runs', 'roles: user admin'],
  ['DELETE', '/runs/:id', 'roles: user admin'],
  ['GET', '/runs/:id', 'roles: user admin'],
  ['PATCH', '/runs/:id', 'roles: user admin'],
  ['GET', '/runs/stats/weekly', 'roles: user admin'],
];

let service: RunsTestService;
beforeAll(async () => {
  service = await RunsTestService.start();
}, 60_000);
afterAll(() => service?.close());

describe('the routes of runs', () => {
  it('each declare whom they are for: public, a role or a scope', () => {
    const table = service.app.get(RouteAccessAudit).table();
    expect(table.map(({ method, path, access }) => [method, path, access])).toEqual(ACCESS);
  });

  // The tests boot the service as main.ts does (NODE_ENV=test): with the document the gateway merges into
  // its API docs, which production leaves out.
  it('are all Nest routes, behind the guards, but for the OpenAPI document outside production, which serves no data', () => {
    expect(routesOutsideNest(service.app)).toEqual(['GET /openapi.json']);
  });
});
