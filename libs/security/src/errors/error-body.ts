import { type ErrorCode } from './error-code';
import { type FieldProblem } from './app.exception';

/** The body of every error response of every Runnerly service (docs/reference/api.md, "Error shape"). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  requestId: string;
  fields?: FieldProblem[];
}
