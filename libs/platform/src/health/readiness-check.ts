/** Something a service needs in order to serve requests (its database, Redis, an upstream). */
export interface ReadinessCheck {
  /** Short name, logged when the check fails (never sent to clients). */
  readonly name: string;
  isReady(): Promise<boolean>;
}
