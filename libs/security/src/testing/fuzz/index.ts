export {
  answerOf,
  errorBodyProblem,
  expectSafeAnswer,
  type FuzzAnswer,
  MAX_ERROR_BODY_BYTES,
} from './answer.checks';
export { BuiltInsSnapshot } from './built-ins.snapshot';
export { dateTimeString, EDGE_DATE_TIMES, instantNearNow } from './date.arbitraries';
export { emailValues, textFieldValues } from './field.arbitraries';
export { DEFAULT_FUZZ_SEED, fuzz, FUZZ_ENV, fuzzParameters } from './fuzz-parameters';
export { opaqueTokenLike, tamperedCursor, uuidLike } from './identifier.arbitraries';
export {
  anyJsonValue,
  deepJson,
  hostileKey,
  jsonObjectText,
  toJsonText,
  wideJson,
  withUnknownMember,
} from './json.arbitraries';
export { LENGTH_MEASURES, type LengthMeasure, stringsAroundBound } from './length.arbitraries';
export { numbersAround, numericQueryValues } from './number.arbitraries';
export {
  authorizationHeader,
  contentType,
  FUZZ_BODY_BYTES,
  headerValue,
  jsonBodies,
  percentEncode,
  queryStrings,
} from './request.arbitraries';
export {
  anyPlaneCharacter,
  CLUSTERS,
  controlCharacter,
  fullwidth,
  hostileText,
  INVISIBLE_CHARACTERS,
  invisibleCharacter,
  lookAlike,
  loneSurrogate,
  normalizationForm,
} from './text.arbitraries';
