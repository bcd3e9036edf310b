/** The built-ins a prototype-pollution bug changes, by name. */
const GUARDED: Readonly<Record<string, object>> = {
  'Object.prototype': Object.prototype,
  Object,
  'Array.prototype': Array.prototype,
};

type Descriptors = Map<PropertyKey, PropertyDescriptor>;

const ownDescriptors = (target: object): Descriptors =>
  new Map(Reflect.ownKeys(target).map((key) => [key, Reflect.getOwnPropertyDescriptor(target, key)!]));

const sameDescriptor = (a: PropertyDescriptor, b: PropertyDescriptor) =>
  Object.is(a.value, b.value) &&
  a.get === b.get &&
  a.set === b.set &&
  a.writable === b.writable &&
  a.enumerable === b.enumerable &&
  a.configurable === b.configurable;

/**
 * The own properties of Object.prototype, Object and Array.prototype at one moment, to prove a request
 * served in this process polluted none of them (a `__proto__` member merged into an object, a
 * `constructor.prototype` path followed).
 */
export class BuiltInsSnapshot {
  private constructor(private readonly taken: ReadonlyMap<string, Descriptors>) {}

  static take(): BuiltInsSnapshot {
    return new BuiltInsSnapshot(
      new Map(Object.entries(GUARDED).map(([name, target]) => [name, ownDescriptors(target)])),
    );
  }

  /** Throws naming every property added, removed or changed since the snapshot. */
  expectUnchanged(): void {
    const changes: string[] = [];
    for (const [name, before] of this.taken) {
      const now = ownDescriptors(GUARDED[name]!);
      for (const [key, descriptor] of now) {
        const was = before.get(key);
        if (!was) changes.push(`${name}.${String(key)} was added`);
        else if (!sameDescriptor(was, descriptor)) changes.push(`${name}.${String(key)} was changed`);
      }
      for (const key of before.keys()) if (!now.has(key)) changes.push(`${name}.${String(key)} was removed`);
    }
    if (changes.length > 0) throw new Error(`Built-ins were polluted: ${changes.join('; ')}`);
  }
}
