package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The node-wide replay memory: window, newest per key, the floor an eviction leaves, and one winner per race. */
class InitiationTimestampsTest {
    private final io.molia.crypto.Blake2s blake2s = new io.molia.crypto.Blake2s();
    private static final long S = 1_000_000_000L;
    private static final long WALL = 1_790_000_000L * S;
    private static final long WINDOW = InitiationTimestamps.DEFAULT_WINDOW_NS;

    private static byte[] ts(long unixNanos) {
        byte[] out = new byte[Tai64n.BYTES];
        Tai64n.write(unixNanos, out, 0);
        return out;
    }

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        new SplittableRandom(seed).nextBytes(k);
        return k;
    }

    @Test
    void aTimestampIsAcceptedOnceAndOnlyWithinTheWindow() {
        InitiationTimestamps t = new InitiationTimestamps(64, WINDOW, new SplittableRandom(1));
        byte[] a = key(1);
        assertEquals(InitiationTimestamps.ACCEPTED, t.check(blake2s, a, ts(WALL), 0, WALL));
        assertEquals(InitiationTimestamps.REPLAYED, t.check(blake2s, a, ts(WALL), 0, WALL + S));
        assertEquals(InitiationTimestamps.ACCEPTED, t.check(blake2s, a, ts(WALL + S), 0, WALL + S));
        assertEquals(InitiationTimestamps.REPLAYED, t.check(blake2s, a, ts(WALL), 0, WALL + S), "older than the newest");
        assertEquals(InitiationTimestamps.STALE, t.check(blake2s, key(2), ts(WALL - WINDOW - S), 0, WALL));
        assertEquals(InitiationTimestamps.STALE, t.check(blake2s, key(2), ts(WALL + WINDOW + S), 0, WALL));
        byte[] junk = new byte[Tai64n.BYTES];
        java.util.Arrays.fill(junk, (byte) 0xff);
        assertEquals(InitiationTimestamps.STALE, t.check(blake2s, key(2), junk, 0, WALL));
    }

    @Test
    void anEvictedKeyStaysRefusedBelowTheFloorItLeft() {
        InitiationTimestamps t = new InitiationTimestamps(1, WINDOW, new SplittableRandom(1)); // every key collides
        byte[] a = key(1);
        byte[] b = key(2);
        assertEquals(InitiationTimestamps.ACCEPTED, t.check(blake2s, a, ts(WALL), 0, WALL));
        assertEquals(InitiationTimestamps.ACCEPTED_EVICTING, t.check(blake2s, b, ts(WALL + S), 0, WALL + S));
        assertEquals(InitiationTimestamps.REPLAYED, t.check(blake2s, a, ts(WALL), 0, WALL + 2 * S), "a's replay, a evicted");
        assertEquals(InitiationTimestamps.ACCEPTED_EVICTING, t.check(blake2s, a, ts(WALL + 2 * S), 0, WALL + 2 * S));
        assertEquals(InitiationTimestamps.REPLAYED, t.check(blake2s, b, ts(WALL + S), 0, WALL + 3 * S), "b's replay too");
        // An entry already out of the window protects nothing: replacing it is no eviction.
        assertEquals(InitiationTimestamps.ACCEPTED, t.check(blake2s, b, ts(WALL + 3 * WINDOW), 0, WALL + 3 * WINDOW));
    }

    @Test
    void shardsOfferedTheSameInitiationAtOnceAcceptItOnce() throws Exception {
        InitiationTimestamps t = new InitiationTimestamps(1024, WINDOW, new SplittableRandom(1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 200; round++) {
                byte[] k = key(100 + round);
                byte[] stamp = ts(WALL + round * S);
                long now = WALL + round * S;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    results.add(pool.submit(() -> {
                        io.molia.crypto.Blake2s own = new io.molia.crypto.Blake2s(); // each shard has its own
                        go.await();
                        return t.check(own, k, stamp, 0, now);
                    }));
                }
                go.countDown();
                int accepted = 0;
                for (Future<Integer> r : results) {
                    accepted += r.get(10, TimeUnit.SECONDS) <= InitiationTimestamps.ACCEPTED_EVICTING ? 1 : 0;
                }
                assertEquals(1, accepted, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
