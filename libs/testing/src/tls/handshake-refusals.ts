/**
 * What a TLS 1.3 client sees when a server that requires client certificates refuses it: the server's alert as
 * Node names it, or a reset when the server closes before the client has read the alert (both happen, by timing).
 */
export const REFUSED_WITHOUT_CERTIFICATE = /^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/;
export const REFUSED_FOR_UNKNOWN_CA = /^(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|ECONNRESET)$/;
/** A certificate the CA signed for a name the server does not let in: closed right after the handshake. */
export const REFUSED_FOR_ITS_NAME = /^(ECONNRESET|socket hang up)$/;
