import { type ErrorCode } from './error-code';
import { type FieldProblem } from './app.exception';

/** The body of every error response of every Runnerly service (DESIGN.md §4b). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  requestId: string;
  fields?: FieldProblem[];
}
