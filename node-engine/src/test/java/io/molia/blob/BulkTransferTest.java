package io.molia.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A sender and a receiver joined by a seeded lossy channel in virtual time (no sockets, no clock): each frame is
 * lost with a given probability and otherwise delivered after a random delay, so frames also overtake each other.
 */
class BulkTransferTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Far more virtual time than any transfer here needs; a livelock fails the test instead of spinning. */
    private static final long GIVE_UP_NS = TimeUnit.MINUTES.toNanos(10);

    private record Delivery(long atNs, long order, boolean toReceiver, byte[] frame) implements Comparable<Delivery> {
        @Override
        public int compareTo(Delivery o) {
            return atNs != o.atNs ? Long.compare(atNs, o.atNs) : Long.compare(order, o.order);
        }
    }

    /** What one run did: the object received (or null), the sender's figures, a digest of every event. */
    private record Run(byte[] received, BulkSender sender, long endNs, int traceDigest) {
    }

    private static Run transfer(byte[] object, double loss, long seed) {
        return transfer(object, loss, 10 * MS, seed);
    }

    /** Frames lost with probability {@code loss}, the others delivered after 10 ms plus up to {@code jitterNs}. */
    private static Run transfer(byte[] object, double loss, long jitterNs, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BulkSender sender = new BulkSender(42, object);
        BulkReceiver receiver = null;
        PriorityQueue<Delivery> wire = new PriorityQueue<>();
        byte[] buf = new byte[BulkFrame.MAX_DATA_BYTES];
        long now = 0;
        long order = 0;
        int digest = 1;
        while (now < GIVE_UP_NS && !sender.done() && !sender.failed()) {
            int n;
            while ((n = sender.pollFrame(now, buf, 0)) > 0) {
                assertTrue(sender.inFlight() <= Math.max(sender.window(), BulkSender.MIN_WINDOW),
                        "flight within window");
                assertTrue(sender.window() <= BulkSender.MAX_WINDOW);
                assertEquals(BulkFrame.OK, BulkFrame.check(buf, 0, n));
                if (random.nextDouble() >= loss) {
                    wire.add(new Delivery(arrival(now, jitterNs, random), order++, true, Arrays.copyOf(buf, n)));
                }
            }
            long next = Math.min(sender.nextDeadlineNs(), wire.isEmpty() ? Long.MAX_VALUE : wire.peek().atNs());
            if (next == Long.MAX_VALUE) {
                break;
            }
            now = Math.max(now, next);
            sender.onTimer(now);
            while (!wire.isEmpty() && wire.peek().atNs() <= now) {
                Delivery d = wire.poll();
                digest = 31 * digest + Arrays.hashCode(d.frame()) + Long.hashCode(d.atNs());
                if (d.toReceiver()) {
                    if (receiver == null) {
                        receiver = new BulkReceiver(d.frame(), 0);
                    }
                    receiver.onData(d.frame(), 0, d.frame().length);
                    int a = receiver.writeAck(buf, 0);
                    if (random.nextDouble() >= loss) {
                        wire.add(new Delivery(arrival(now, jitterNs, random), order++, false,
                                Arrays.copyOf(buf, a)));
                    }
                } else {
                    assertEquals(BulkFrame.OK, BulkFrame.check(d.frame(), 0, d.frame().length));
                    sender.onAck(now, d.frame(), 0);
                }
            }
        }
        byte[] received = receiver != null && receiver.complete() ? receiver.object() : null;
        return new Run(received, sender, now, digest);
    }

    private static long arrival(long nowNs, long jitterNs, SplittableRandom random) {
        return nowNs + 10 * MS + (jitterNs == 0 ? 0 : random.nextLong(jitterNs));
    }

    private static byte[] object(int bytes, long seed) {
        byte[] o = new byte[bytes];
        new SplittableRandom(seed).nextBytes(o);
        return o;
    }

    @Test
    void aFragmentCrossesALosslessInOrderChannelWithNoResend() {
        byte[] o = object(65_536, 1);
        Run run = transfer(o, 0, 0, 1);
        assertArrayEquals(o, run.received());
        assertTrue(run.sender().done());
        assertEquals(0, run.sender().chunksResent());
        assertEquals(BulkFrame.chunksFor(o.length), run.sender().chunksSent());
        assertTrue(run.sender().maxInFlight() > BulkSender.INITIAL_WINDOW, "the window opened");
    }

    @Test
    void reorderingAloneCostsFewerResendsThanChunks() {
        byte[] o = object(65_536, 2);
        Run run = transfer(o, 0, 10 * MS, 2);
        assertArrayEquals(o, run.received());
        assertTrue(run.sender().chunksResent() < run.sender().chunks(), "resent " + run.sender().chunksResent());
    }

    @Test
    void tenPercentLossBothWaysStillDeliversEveryByte() {
        for (long seed = 1; seed <= 20; seed++) {
            byte[] o = object(65_536 + (int) seed * 7, seed);
            Run run = transfer(o, 0.10, seed);
            assertArrayEquals(o, run.received(), "seed " + seed);
            assertTrue(run.sender().done(), "seed " + seed);
            assertTrue(run.sender().chunksResent() > 0, "seed " + seed + ": lost chunks were sent again");
            assertTrue(run.sender().lossEvents() > 0, "seed " + seed + ": the window shrank");
            assertTrue(run.sender().maxInFlight() <= BulkSender.MAX_WINDOW);
        }
    }

    @Test
    void aOneChunkObjectAndAnObjectOfExactlyWholeChunksArrive() {
        for (int bytes : new int[] {1, BulkFrame.CHUNK_PAYLOAD_BYTES, 3 * BulkFrame.CHUNK_PAYLOAD_BYTES}) {
            byte[] o = object(bytes, bytes);
            assertArrayEquals(o, transfer(o, 0.2, bytes).received(), bytes + " bytes");
        }
    }

    @Test
    void aSilentReceiverFailsTheTransferAfterBoundedTimeouts() {
        Run run = transfer(object(10_000, 3), 1.0, 3);
        assertTrue(run.sender().failed());
        assertFalse(run.sender().done());
        assertEquals(null, run.received());
        assertTrue(run.sender().chunksSent() <= (long) BulkSender.INITIAL_WINDOW
                + (long) BulkSender.MAX_TIMEOUTS * BulkSender.MIN_WINDOW, "bounded resends: " + run.sender()
                .chunksSent());
    }

    @Test
    void theSameSeedReplaysTheSameRun() {
        byte[] o = object(30_000, 9);
        Run a = transfer(o, 0.15, 9);
        Run b = transfer(o, 0.15, 9);
        assertEquals(a.traceDigest(), b.traceDigest());
        assertEquals(a.endNs(), b.endNs());
        assertEquals(a.sender().chunksSent(), b.sender().chunksSent());
    }

    @Test
    void anAckNamingChunksNeverSentAcknowledgesOnlyTheSentOnes() {
        BulkSender sender = new BulkSender(5, new byte[10 * BulkFrame.CHUNK_PAYLOAD_BYTES]);
        byte[] buf = new byte[BulkFrame.MAX_DATA_BYTES];
        while (sender.pollFrame(1, buf, 0) > 0) {
            // the initial window: chunks 0-3
        }
        byte[] ack = new byte[BulkFrame.ACK_BYTES];
        BulkFrame.writeAck(ack, 0, 5, 10, -1L); // "everything arrived"
        sender.onAck(2, ack, 0);
        assertFalse(sender.done(), "chunks 4-9 were never sent");
        assertEquals(0, sender.inFlight());
        int sent = 0;
        while (sender.pollFrame(3, buf, 0) > 0) {
            assertTrue(BulkFrame.seq(buf, 0) >= 4, "an acknowledged chunk is not sent again");
            sent++;
        }
        assertTrue(sent > 0);
    }

    @Test
    void framesThatDoNotFitTheirTransferAreRefusedByCheck() {
        byte[] buf = new byte[BulkFrame.MAX_DATA_BYTES];
        byte[] payload = new byte[BulkFrame.CHUNK_PAYLOAD_BYTES];
        int n = BulkFrame.writeData(buf, 0, 1, 0, 2, 2_000, payload, 0, BulkFrame.CHUNK_PAYLOAD_BYTES);
        assertEquals(BulkFrame.OK, BulkFrame.check(buf, 0, n));
        assertEquals(BulkFrame.BAD_SHAPE, BulkFrame.check(buf, 0, n - 1), "payload shorter than its chunk");
        assertEquals(BulkFrame.TRUNCATED, BulkFrame.check(buf, 0, 20));
        n = BulkFrame.writeData(buf, 0, 1, 2, 2, 2_000, payload, 0, 912);
        assertEquals(BulkFrame.BAD_SHAPE, BulkFrame.check(buf, 0, n), "seq past the last chunk");
        n = BulkFrame.writeData(buf, 0, 1, 0, 3, 2_000, payload, 0, BulkFrame.CHUNK_PAYLOAD_BYTES);
        assertEquals(BulkFrame.BAD_SHAPE, BulkFrame.check(buf, 0, n), "chunk count that does not fit the size");
        buf[0] = 9;
        assertEquals(BulkFrame.UNKNOWN_TYPE, BulkFrame.check(buf, 0, n));
    }
}
