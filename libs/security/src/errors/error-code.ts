import { HttpStatus } from '@nestjs/common';

/**
 * Every error a Runnerly service returns carries one of these stable codes, so that clients branch on
 * `code` and never on message text. The HTTP status of each code is decided here, in one place.
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION.FAILED',
  MalformedRequest: 'REQUEST.MALFORMED',
  RequestTimeout: 'REQUEST.TIMEOUT',
  HeadersTooLarge: 'REQUEST.HEADERS_TOO_LARGE',
  PayloadTooLarge: 'REQUEST.PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  MethodNotAllowed: 'REQUEST.METHOD_NOT_ALLOWED',
  NotFound: 'RESOURCE.NOT_FOUND',
  Conflict: 'RESOURCE.CONFLICT',
  IdempotencyKeyReused: 'IDEMPOTENCY.KEY_REUSED',
  Unauthenticated: 'AUTH.UNAUTHENTICATED',
  InvalidCredentials: 'AUTH.INVALID_CREDENTIALS',
  InvalidRefreshToken: 'AUTH.INVALID_REFRESH_TOKEN',
  InvalidClient: 'AUTH.INVALID_CLIENT',
  ReauthenticationRequired: 'AUTH.REAUTHENTICATION_REQUIRED',
  InvalidSecondFactor: 'AUTH.INVALID_SECOND_FACTOR',
  InvalidLoginChallenge: 'AUTH.INVALID_LOGIN_CHALLENGE',
  InvalidEmailLink: 'AUTH.INVALID_EMAIL_LINK',
  Forbidden: 'AUTH.FORBIDDEN',
  SecondFactorRequired: 'AUTH.SECOND_FACTOR_REQUIRED',
  CrossSiteRequestRefused: 'AUTH.CROSS_SITE_REQUEST',
  OidcFailed: 'AUTH.OIDC_FAILED',
  OidcLinkRequired: 'AUTH.OIDC_LINK_REQUIRED',
  OidcSecondFactorAccount: 'AUTH.OIDC_SECOND_FACTOR_ACCOUNT',
  RateLimited: 'RATE_LIMIT.EXCEEDED',
  ServiceBusy: 'SERVICE.BUSY',
  ServiceUnavailable: 'SERVICE.UNAVAILABLE',
  UpstreamUnavailable: 'UPSTREAM.UNAVAILABLE',
  UpstreamTimeout: 'UPSTREAM.TIMEOUT',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const HTTP_STATUS_OF: Readonly<Record<ErrorCode, HttpStatus>> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MalformedRequest]: HttpStatus.BAD_REQUEST,
  [ErrorCode.RequestTimeout]: HttpStatus.REQUEST_TIMEOUT,
  // Nest's HttpStatus has no 431 (RFC 6585).
  [ErrorCode.HeadersTooLarge]: 431 as HttpStatus,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.MethodNotAllowed]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.IdempotencyKeyReused]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidRefreshToken]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidClient]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.ReauthenticationRequired]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidSecondFactor]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidLoginChallenge]: HttpStatus.UNAUTHORIZED,
  // The request is well-formed and needs no identity; its token is simply not one that works (any more).
  [ErrorCode.InvalidEmailLink]: HttpStatus.BAD_REQUEST,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.SecondFactorRequired]: HttpStatus.FORBIDDEN,
  [ErrorCode.CrossSiteRequestRefused]: HttpStatus.FORBIDDEN,
  // The sign-in at the provider did not complete here (state, binding, code, issuer, audience, nonce): one answer.
  [ErrorCode.OidcFailed]: HttpStatus.UNAUTHORIZED,
  // The provider proved who the user is there, but not which Runnerly account that is.
  [ErrorCode.OidcLinkRequired]: HttpStatus.FORBIDDEN,
  [ErrorCode.OidcSecondFactorAccount]: HttpStatus.FORBIDDEN,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.ServiceBusy]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.UpstreamUnavailable]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.UpstreamTimeout]: HttpStatus.GATEWAY_TIMEOUT,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** The code used when an error carries only an HTTP status (a plain Nest or Fastify error). */
export const CODE_FOR_STATUS: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: ErrorCode.MalformedRequest,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  408: ErrorCode.RequestTimeout,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  431: ErrorCode.HeadersTooLarge,
  429: ErrorCode.RateLimited,
  502: ErrorCode.UpstreamUnavailable,
  503: ErrorCode.ServiceBusy,
  504: ErrorCode.UpstreamTimeout,
};
