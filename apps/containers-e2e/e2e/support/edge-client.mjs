// A client of the gateways that runs in a container of its own on the stack's `edge` network (see
// edgeClient in shared-limits.e2e-spec.ts), so that the gateways see a client address of its own. Every other
// suite calls the published port from the host, and the gateways count all of them as one client: a test that
// spends a whole limit from there would refuse their requests, and theirs would make its count inexact.
//
// Input, in the environment: GATEWAYS, the gateways' base URLs separated by commas; GATEWAY_CA, the stack CA's
// certificate (PEM), which the gateways' certificates chain to; SERIES, a JSON array of { path, token?, max }.
// For each series, it sends GET <path> to the gateways in turn, one request after the other, until every gateway
// has answered 429 once in a row or `max` requests are sent. Output: one JSON line, the statuses per series,
// each as { gateway, status }.
import { request } from 'node:https';

const gateways = process.env.GATEWAYS.split(',');
const series = JSON.parse(process.env.SERIES);
// Each gateway's certificate names `localhost` (for the published port), not the names on this network.
const tls = { ca: process.env.GATEWAY_CA, servername: 'localhost' };

function get(url, token) {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    request(url, { ...tls, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    })
      .on('error', reject)
      .end();
  });
}

const results = [];
for (const { path, token, max } of series) {
  const answers = [];
  let refusedInARow = 0;
  while (answers.length < max && refusedInARow < gateways.length) {
    const gateway = gateways[answers.length % gateways.length];
    const status = await get(`${gateway}${path}`, token);
    answers.push({ gateway, status });
    refusedInARow = status === 429 ? refusedInARow + 1 : 0;
  }
  results.push(answers);
}
console.log(JSON.stringify(results));
