import { matchesShownOutput } from './support/expected-output';
import { shellSteps } from './support/shell-steps';

// The two rules the doc tests apply to every page: which blocks run with which shown output, and when an output
// is the one shown.

describe('shellSteps', () => {
  const page = [
    'Sign up:', // line 1
    '',
    '```sh',
    'curl -s localhost:3000/api/runs',
    '```',
    '',
    '```json',
    '{"statusCode":401}',
    '```',
    '',
    'A block with prose before its output shows no output:',
    '',
    '```sh',
    'echo hello',
    '```',
    '',
    'Here is what it printed:',
    '',
    '```',
    'hello',
    '```',
    '',
    '<!-- doc-test: skip, it needs a deployment -->',
    '',
    '```bash',
    'curl https://api.example.com',
    '```',
  ].join('\n');

  it('pairs a shell block with the block right after it, and only then', () => {
    expect(shellSteps(page).slice(0, 2)).toEqual([
      {
        line: 3,
        command: 'curl -s localhost:3000/api/runs\n',
        expected: '{"statusCode":401}\n',
        skipped: undefined,
      },
      { line: 13, command: 'echo hello\n', expected: undefined, skipped: undefined },
    ]);
  });

  it('takes the reason of a skip marker right above a block, for that block only', () => {
    expect(shellSteps(page).map((step) => step.skipped)).toEqual([
      undefined,
      undefined,
      'it needs a deployment',
    ]);
  });
});

describe('matchesShownOutput', () => {
  const shown = '{"id":"97df8204-045b-4382-9cd3-c58c067ca20c","status":201,"at":"2026-11-23T03:40:42.104Z"}';

  it('matches another run: other ids, times, tokens, hashes and durations', () => {
    expect(
      matchesShownOutput(
        '{"id":"0b7e4f0c-1c7a-4e55-9d0e-3a2b1c0d9e8f","status":201,"at":"2026-12-06T08:39:25.001Z"}',
        shown,
      ),
    ).toBe(true);
    expect(
      matchesShownOutput('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln in 12 ms', 'eyJhbGci.eyJz.sig in 3.1 s'),
    ).toBe(true);
    expect(
      matchesShownOutput('"refreshToken": "q1w2e3r4t5y6u7i8o9p0"', '"refreshToken": "VKwbQyjl6cJZzu7eMstw"'),
    ).toBe(true);
  });

  it.each([
    ['another status', shown.replace('201', '200')],
    ['another field', shown.replace('"status"', '"state"')],
    ['a line more', `${shown}\nextra`],
    ['a line less', ''],
  ])('refuses %s', (_case, actual) => {
    expect(matchesShownOutput(actual, shown)).toBe(false);
  });

  it('lets … stand for any text in a line, and ... for any lines', () => {
    expect(matchesShownOutput('[dev-stack] users is ready (3.1 s)', '[dev-stack] users is …')).toBe(true);
    expect(matchesShownOutput('building\nbuilt\n204\n[]', '...\n204\n[]')).toBe(true);
    expect(matchesShownOutput('204\n[]', '...\n204\n[]')).toBe(true);
    expect(matchesShownOutput('building\n500\n[]', '...\n204\n[]')).toBe(false);
  });

  it('ignores trailing spaces and blank lines around the output', () => {
    expect(matchesShownOutput('\n200  \n\n', '200')).toBe(true);
  });

  it('takes a run of spaces for any run, so that a table whose columns are wider elsewhere still matches', () => {
    const shown = 'SERVICE    STATUS\ngateway    Up (healthy)';
    expect(matchesShownOutput('SERVICE  STATUS\ngateway  Up (healthy)', shown)).toBe(true);
    expect(matchesShownOutput('SERVICE STATUS\ngatewayUp (healthy)', shown)).toBe(false);
  });

  it('reads past the control sequences a terminal interprets (colours, erased lines)', () => {
    expect(matchesShownOutput('\x1b[2Kusers-1  | ready\n\x1b[32mok\x1b[0m', 'users-1  | ready\nok')).toBe(
      true,
    );
  });
});
