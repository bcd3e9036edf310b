import { type DynamicModule, Module } from '@nestjs/common';
import { CspReportsController } from './csp-reports.controller';
import { WebClientController } from './web-client.controller';
import { WebClientFiles } from './web-client-files';

/** The web client at `/`, from a built folder (WEB_CLIENT_ROOT), with the endpoint its CSP reports to. */
@Module({})
export class WebClientModule {
  static forRoot(root: string): DynamicModule {
    return {
      module: WebClientModule,
      controllers: [WebClientController, CspReportsController],
      providers: [{ provide: WebClientFiles, useValue: WebClientFiles.load(root) }],
    };
  }
}
