package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.blob.BulkFrame;
import io.molia.blob.BulkReceiver;
import io.molia.blob.BulkSender;

/**
 * A bulk transfer fed frames of any bytes, as a peer could send them: {@link BulkFrame#check} judges each one; a
 * receiver takes the well-formed DATA frames and a sender (with a real transfer in flight) the well-formed ACKs. No
 * exception; the sender never counts more chunks in flight than it sent, nor more acknowledged than exist; the
 * receiver's ACK is itself well formed; a transfer done is done with every chunk acknowledged.
 */
class BulkFrameFuzzTest {
    private static final long TRANSFER = 7;

    @FuzzTest(maxDuration = "30s")
    void hostileFramesNeverBreakATransfer(FuzzedDataProvider in) {
        BulkSender sender = new BulkSender(TRANSFER, new byte[20_000]);
        byte[] out = new byte[BulkFrame.MAX_DATA_BYTES];
        long now = 1;
        while (sender.pollFrame(now, out, 0) > 0) {
            // the initial window goes out
        }
        BulkReceiver receiver = null;
        while (in.remainingBytes() > 0) {
            now += in.consumeInt(0, 1_000_000_000);
            byte[] frame = in.consumeBytes(in.consumeInt(0, BulkFrame.MAX_DATA_BYTES + 8));
            int status = BulkFrame.check(frame, 0, frame.length);
            if (status != BulkFrame.OK) {
                continue;
            }
            if (BulkFrame.type(frame, 0) == BulkFrame.ACK) {
                sender.onAck(now, frame, 0);
            } else {
                if (receiver == null) {
                    receiver = new BulkReceiver(frame, 0);
                }
                receiver.onData(frame, 0, frame.length);
                int n = receiver.writeAck(out, 0);
                assertEquals(BulkFrame.OK, BulkFrame.check(out, 0, n));
            }
            sender.onTimer(now);
            while (sender.pollFrame(now, out, 0) > 0) {
                assertTrue(sender.inFlight() <= BulkSender.MAX_WINDOW);
            }
            assertTrue(sender.inFlight() >= 0 && sender.inFlight() <= sender.chunksSent());
            assertTrue(sender.window() >= 1 && sender.window() <= BulkSender.MAX_WINDOW);
            if (sender.done()) {
                assertFalse(sender.failed());
                assertEquals(0, sender.inFlight());
            }
        }
    }
}
