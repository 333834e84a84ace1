package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.blob.BlobLayout;
import io.molia.blob.BlobStore;
import io.molia.blob.BlobTransfers;
import io.molia.blob.BulkFrame;
import io.molia.blob.FragmentObject;
import io.molia.crypto.Blake3;

/**
 * A node's bulk transfers fed frames of any bytes from two peers, as they could send them, while it has a push, a
 * fetch and a probe of its own under way and holds one fragment to serve (and to answer PROBEs about): no
 * exception; every frame it sends is well formed; what it holds changes only by a {@link BlobTransfers.Stored} event
 * (an object that passed its check); the transfers and probes under way stay within their bounds.
 */
class BulkFrameFuzzTest {
    private static final Blake3 BLAKE3 = new Blake3();
    private static final BlobLayout.Split SPLIT = new BlobLayout().split(new byte[3_000], 3_000);
    private static final byte[] HELD = FragmentObject.of(SPLIT.manifestKey(), SPLIT.fragments().get(4), BLAKE3)
            .encode();

    @FuzzTest(maxDuration = "30s")
    void hostileFramesNeverBreakATransfer(FuzzedDataProvider in) {
        BlobTransfers node = new BlobTransfers(new BlobStore(1 << 20), new SplittableRandom(1));
        node.store().accept(HELD, 0);
        byte[] out = new byte[BulkFrame.MAX_DATA_BYTES];
        long now = 1;
        node.push(1, new byte[20_000]);
        node.fetch(2, SPLIT.manifestKey(), now);
        node.probe(1, SPLIT.manifestKey(), now);
        int held = node.store().size();
        while (in.remainingBytes() > 0) {
            now += in.consumeInt(0, 1_000_000_000);
            long peer = in.consumeBoolean() ? 1 : 2;
            byte[] frame = in.consumeBytes(in.consumeInt(0, BulkFrame.MAX_DATA_BYTES + 8));
            node.onFrame(now, peer, frame, 0, frame.length, true);
            node.onTimer(now);
            int n;
            while ((n = node.pollTransmit(now, out, 0)) > 0) {
                assertEquals(BulkFrame.OK, BulkFrame.check(out, 0, n), "a frame this node sends is well formed");
                assertTrue(node.lastPeer() == 1 || node.lastPeer() == 2, "sent only to a peer it deals with");
            }
            BlobTransfers.Event e;
            while ((e = node.pollEvent()) != null) {
                if (e instanceof BlobTransfers.Stored) {
                    held++;
                }
            }
            assertEquals(held, node.store().size(), "held objects change only by a Stored event");
            assertTrue(node.activeTransfers() <= BlobTransfers.MAX_SENDERS + BlobTransfers.MAX_RECEIVERS);
            assertTrue(node.probesPending() <= 1, "only the probe it started awaits an answer");
        }
    }
}
