import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

const LINE_BREAKS = /\r\n|\r|\n/g;
/** Zero-width (non-)joiners are format characters, but emoji such as 🏃‍♀️ are built with them. */
const EMOJI_JOINERS = /[\u200C\u200D]/g;
/** Unicode "other": controls, format characters (bidi overrides), surrogates, private use, unassigned. */
const INVISIBLE_OR_CONTROL = /\p{C}/u;

/**
 * Whether a text holds characters that corrupt logs and terminals (escape sequences, NUL) or disguise
 * what a reader sees (right-to-left overrides, as in "Trojan Source"). Line breaks pass only if allowed.
 */
export function hasForbiddenCharacters(text: string, options: { allowLineBreaks: boolean }): boolean {
  const checked = (options.allowLineBreaks ? text.replace(LINE_BREAKS, '') : text).replace(EMOJI_JOINERS, '');
  return INVISIBLE_OR_CONTROL.test(checked);
}

/** A string without control or invisible characters (see hasForbiddenCharacters). */
export function IsPlainText(
  options: { allowLineBreaks?: boolean } = {},
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  const allowLineBreaks = options.allowLineBreaks ?? false;
  return ValidateBy(
    {
      name: 'isPlainText',
      validator: {
        validate: (value) => typeof value === 'string' && !hasForbiddenCharacters(value, { allowLineBreaks }),
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must not contain control characters${allowLineBreaks ? ' other than line breaks' : ''}`,
          validationOptions,
        ),
      },
    },
    validationOptions,
  );
}
