import { INSTANCE_DOWN_MS, InstancePool } from './instance-pool';

const [A, B, C] = ['http://a/', 'http://b/', 'http://c/'];

function poolAt(time: { now: number }, instances = [A, B, C]): InstancePool {
  return new InstancePool(instances, () => time.now);
}

describe('InstancePool', () => {
  it('starts each request at the next instance in turn (round-robin)', () => {
    const pool = poolAt({ now: 0 });
    expect([pool.attemptOrder(), pool.attemptOrder(), pool.attemptOrder(), pool.attemptOrder()]).toEqual([
      [A, B, C],
      [B, C, A],
      [C, A, B],
      [A, B, C],
    ]);
  });

  it('tries an instance that refused a connection last, until INSTANCE_DOWN_MS have passed', () => {
    const time = { now: 0 };
    const pool = poolAt(time);
    pool.markDown(A);
    expect(pool.attemptOrder()).toEqual([B, C, A]);
    time.now = INSTANCE_DOWN_MS - 1;
    expect(pool.attemptOrder()).toEqual([B, C, A]);
    time.now = INSTANCE_DOWN_MS;
    expect(pool.attemptOrder()).toEqual([C, A, B]);
  });

  it('still tries every instance when all are marked down, rather than answering nothing', () => {
    const pool = poolAt({ now: 0 }, [A, B]);
    pool.markDown(A);
    pool.markDown(B);
    expect(pool.attemptOrder()).toEqual([A, B]);
  });

  it('offers a single URL twice: behind a load balancer, the retry may reach another instance', () => {
    expect(poolAt({ now: 0 }, [A]).attemptOrder()).toEqual([A, A]);
  });
});
