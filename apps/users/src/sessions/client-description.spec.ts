import { describeClient, MAX_CLIENT_DESCRIPTION_LENGTH } from './client-description';

describe('describeClient', () => {
  it('keeps a browser User-Agent as it was sent', () => {
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
    expect(describeClient(firefox)).toBe(firefox);
  });

  it('turns control characters and terminal escapes into spaces, so the description cannot rewrite a screen or a log', () => {
    expect(describeClient('curl/8.5\r\n\x1b[31mAdmin session\x1b[0m\t\x00')).toBe(
      'curl/8.5 [31mAdmin session [0m',
    );
  });

  it('keeps printable ASCII only: other scripts and look-alike characters become spaces', () => {
    expect(describeClient('Ρhone\u200bApp/1.0 \u202egnp.exe')).toBe('hone App/1.0 gnp.exe');
  });

  it(`cuts at ${MAX_CLIENT_DESCRIPTION_LENGTH} characters, so no client can grow the table`, () => {
    const described = describeClient(`Agent/${'x'.repeat(10_000)}`);
    expect(described).toHaveLength(MAX_CLIENT_DESCRIPTION_LENGTH);
  });

  it('describes nothing when the client sent no User-Agent, or only spaces and controls', () => {
    expect(describeClient(undefined)).toBeNull();
    expect(describeClient(' \t\r\n ')).toBeNull();
  });
});
