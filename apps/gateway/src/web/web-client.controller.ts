import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import {
  AppException,
  ErrorCode,
  type ErrorReply,
  newCspNonce,
  PAGE_PERMISSIONS_POLICY,
  pageContentSecurityPolicy,
  Public,
  sendError,
} from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { WEB_CLIENT_PAGES, WebClientFiles } from './web-client-files';

const ASSETS_PREFIX = '/assets/';

/**
 * The web client's pages and assets. Every page answer is index.html with a fresh nonce in its one script
 * tag and the same nonce in its CSP (pageContentSecurityPolicy); the rest of the security headers are the
 * gateway's usual ones (no framing, no sniffing, no-store).
 */
@Public()
@Controller()
export class WebClientController {
  constructor(@Inject(WebClientFiles) private readonly files: WebClientFiles) {}

  @Get([...WEB_CLIENT_PAGES])
  page(@Res() reply: FastifyReply): FastifyReply {
    const nonce = newCspNonce();
    return reply
      .header('content-security-policy', pageContentSecurityPolicy(nonce))
      .header('permissions-policy', PAGE_PERMISSIONS_POLICY)
      .type('text/html; charset=utf-8')
      .send(this.files.page(nonce));
  }

  @Get('assets/*')
  asset(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    const path = request.url.split('?', 1)[0]!;
    const asset = this.files.asset(path.slice(ASSETS_PREFIX.length));
    if (asset === undefined) {
      sendError(
        reply as unknown as ErrorReply,
        new AppException(ErrorCode.NotFound, 'Resource not found.'),
        String(request.id),
      );
      return reply;
    }
    // Revalidated on each load: a deploy changes the files under the same names.
    return reply.header('cache-control', 'no-cache').type(asset.contentType).send(asset.body);
  }
}
