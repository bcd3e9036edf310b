/** Receives one line of diagnostic output. Shipped code never writes to the console itself. */
export type LogLine = (line: string) => void;

/** The default sink: tooling stays silent unless its caller asks for output. */
export const discardLogLine: LogLine = () => undefined;
