import { IsBoolean, IsOptional } from 'class-validator';
import { BaseServiceConfig } from './base-service.config';
import { loadConfig } from './load-config';
import { ToBoolean } from './to-boolean.decorator';

class FlagConfig extends BaseServiceConfig {
  @ToBoolean()
  @IsOptional()
  @IsBoolean()
  FEATURE_ENABLED = false;
}

describe('ToBoolean', () => {
  it.each([
    ['true', true],
    ['false', false],
  ])('reads "%s" as %s', (value, expected) => {
    expect(loadConfig(FlagConfig, { FEATURE_ENABLED: value }).FEATURE_ENABLED).toBe(expected);
  });

  it.each(['yes', '1', 'TRUE'])('refuses "%s" instead of guessing', (value) => {
    expect(() => loadConfig(FlagConfig, { FEATURE_ENABLED: value })).toThrow(/FEATURE_ENABLED: /);
  });
});
