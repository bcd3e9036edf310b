// Whole processes start and stop in these tests: a minute each, not jest's default five seconds.
jest.setTimeout(60_000);
