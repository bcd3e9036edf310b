import { IsIn } from 'class-validator';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';
import { PublicOrigin } from './public-origin.decorator';

class SiteConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  @PublicOrigin()
  PUBLIC_ORIGIN?: string;
}

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(SiteConfig, env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('@PublicOrigin()', () => {
  it('is optional outside production', () => {
    expect(problemsOf({ NODE_ENV: 'development' })).toEqual([]);
  });

  it('is required in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['PUBLIC_ORIGIN: required in production']);
  });

  it.each(['https://runnerly.example', 'http://localhost:3000', 'https://runnerly.example:8443'])(
    'accepts the origin %s',
    (origin) => {
      expect(problemsOf({ NODE_ENV: 'production', PUBLIC_ORIGIN: origin })).toEqual([]);
    },
  );

  it.each([
    'https://runnerly.example/',
    'https://runnerly.example/app',
    'https://runnerly.example?next=x',
    'https://runnerly.example#top',
    'https://user:pw@runnerly.example',
    'file://runnerly.example',
    'ftp://runnerly.example',
    'runnerly.example',
  ])('refuses %s, which is not an origin', (value) => {
    expect(problemsOf({ PUBLIC_ORIGIN: value })).toEqual([
      'PUBLIC_ORIGIN: must be an origin: http(s)://host[:port], with no path, query or fragment',
    ]);
  });
});
