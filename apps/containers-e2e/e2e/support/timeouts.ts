// Calls cross real containers (argon2 hashing, a database, exec into containers): seconds, not milliseconds.
jest.setTimeout(30_000);
