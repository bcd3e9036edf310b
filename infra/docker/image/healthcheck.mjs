// The image's HEALTHCHECK: healthy while the service answers 200 on /health/ready. Node's own fetch, because
// the slim base image has no curl or wget (and adding one would give an attacker a download tool).
const port = process.env.PORT || '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`, {
    signal: AbortSignal.timeout(2_500),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
