import { Controller, HttpCode, HttpStatus, Logger, Post, Req } from '@nestjs/common';
import { CSP_REPORT_PATH, cspViolationFrom, Public } from '@runnerly/security';
import { type FastifyRequest } from 'fastify';

/** The types browsers post violation reports as: `report-uri` and the Reporting API. */
export const CSP_REPORT_TYPES = ['application/csp-report', 'application/reports+json'];

/**
 * Where browsers report what the pages' CSP blocked. A report is a sign of an injection attempt (a stored
 * XSS payload that a page tried to render as HTML) or of a bug in the client: either way an operator wants
 * to see it. Each becomes one warning line with the directive, the blocked resource and the page, never the
 * sample (it may hold user data) or a query string. Anyone can post here, so the line is data, not proof;
 * the general rate limit bounds how many lines one client can write.
 */
@Public()
@Controller(CSP_REPORT_PATH.slice(1))
export class CspReportsController {
  private readonly logger = new Logger('CspReports');

  @HttpCode(HttpStatus.NO_CONTENT)
  @Post()
  report(@Req() request: FastifyRequest): void {
    const violation = cspViolationFrom(request.body);
    if (violation !== undefined) this.logger.warn({ csp: violation }, 'CSP violation');
  }
}
