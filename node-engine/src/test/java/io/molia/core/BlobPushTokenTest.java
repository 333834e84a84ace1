package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.blob.BlobLayout;
import io.molia.blob.BulkFrame;
import io.molia.blob.FragmentObject;
import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import org.junit.jupiter.api.Test;

/**
 * A holder's core driven by hand: a push of a blob fragment starts only with the write token the holder gave that
 * pusher, as a STORE; the object taken is acknowledged and journaled once.
 */
class BlobPushTokenTest {
    private final SplittableRandom random = new SplittableRandom(13);
    private final MessageCodec codec = new MessageCodec(1);
    private final byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private final long now = TimeUnit.MINUTES.toNanos(1_000);

    @Test
    void aPushNeedsTheHoldersWriteToken() {
        NodeCore holder = new NodeCore(CoreConfig.defaults(), TestContacts.random(random, 0x0a000001), random.split(),
                now);
        holder.enableBlobs(1L << 30);
        List<NodeId> journaled = new ArrayList<>();
        holder.blobJournal((key, object) -> journaled.add(key));
        Contact pusher = TestContacts.random(random, 0x0a000002);

        byte[] blob = new byte[500];
        random.nextBytes(blob);
        BlobLayout layout = new BlobLayout();
        BlobLayout.Split split = layout.split(blob, 1_000);
        byte[] fragment = FragmentObject.of(split.manifestKey(), split.fragments().get(3), new Blake3()).encode();
        NodeId placement = NodeId.fromBytes(layout.placementKey(split.manifestKey(), 0, 3));

        assertNull(push(holder, pusher, fragment, 0), "no token: dropped unanswered");
        assertNull(push(holder, pusher, fragment, random.nextLong()), "a token the holder never gave");
        Contact other = TestContacts.random(random, 0x0a000003);
        assertNull(push(holder, pusher, fragment, WriteTokenCoreTest.tokenFor(holder, other, now)),
                "a token given to another node");
        assertEquals(3, holder.blobTransfers().counters().pushesUnauthorized());
        assertNull(holder.blobTransfers().store().get(placement));

        WireMessage ack = push(holder, pusher, fragment, WriteTokenCoreTest.tokenFor(holder, pusher, now));
        assertNotNull(ack, "with its token the push is acknowledged");
        assertEquals(BulkFrame.ACK, BulkFrame.type(ack.valueBuffer(), ack.valueOffset()));
        assertArrayEquals(fragment, holder.blobTransfers().store().get(placement));
        assertEquals(List.of(placement), journaled, "journaled once, under its placement key");
    }

    @Test
    void theHoldersSweepRemovesAnObjectPastItsTtlJournalingItFirst() {
        NodeCore holder = new NodeCore(CoreConfig.defaults(), TestContacts.random(random, 0x0a000001), random.split(),
                now);
        holder.recordsConfig(io.molia.core.store.RecordsConfig.defaults().withBlobTtl(TimeUnit.MINUTES.toNanos(10)));
        holder.enableBlobs(1L << 30);
        List<String> journal = new ArrayList<>();
        holder.blobJournal(new io.molia.blob.BlobJournal() {
            @Override
            public void onBlobStored(NodeId key, byte[] object) {
                journal.add("stored " + key.toHex());
            }

            @Override
            public void onBlobRemoved(NodeId key) {
                // the bytes are still there when the removal is journaled
                journal.add("removed " + key.toHex() + " held=" + (holder.blobTransfers().store().get(key) != null));
            }
        });
        Contact pusher = TestContacts.random(random, 0x0a000002);
        byte[] blob = new byte[500];
        random.nextBytes(blob);
        BlobLayout layout = new BlobLayout();
        BlobLayout.Split split = layout.split(blob, 1_000);
        byte[] fragment = FragmentObject.of(split.manifestKey(), split.fragments().get(3), new Blake3()).encode();
        NodeId placement = NodeId.fromBytes(layout.placementKey(split.manifestKey(), 0, 3));
        assertNotNull(push(holder, pusher, fragment, WriteTokenCoreTest.tokenFor(holder, pusher, now)));

        long t = now;
        while (t < now + TimeUnit.MINUTES.toNanos(9)) {
            t = Math.max(t + 1, holder.nextDeadlineNs());
            holder.onTimer(t);
        }
        assertNotNull(holder.blobTransfers().store().get(placement), "still within its TTL");
        while (t < now + TimeUnit.MINUTES.toNanos(12)) {
            t = Math.max(t + 1, holder.nextDeadlineNs());
            holder.onTimer(t);
        }
        assertNull(holder.blobTransfers().store().get(placement), "gone past its TTL");
        assertEquals(List.of("stored " + placement.toHex(), "removed " + placement.toHex() + " held=true"), journal);
        assertEquals(1, holder.blobTransfers().store().expired());
    }

    /** One DATA frame holding all of {@code object}, with {@code token}; the holder's answer, or null. */
    private WireMessage push(NodeCore holder, Contact pusher, byte[] object, long token) {
        byte[] frame = new byte[BulkFrame.MAX_DATA_BYTES];
        int n = BulkFrame.writeData(frame, 0, random.nextLong(), 0, 1, object.length, object, 0, object.length);
        int len = codec.encodeBlobFrame(buf, 0, frame, 0, n, token);
        holder.onDatagram(now, pusher, buf, 0, len);
        Outbound out = holder.pollTransmit();
        if (out == null) {
            return null;
        }
        WireMessage m = new WireMessage();
        assertEquals(DecodeStatus.OK, codec.decode(out.data(), 0, out.length(), m));
        assertEquals(MessageKind.BLOB_FRAME, m.kind());
        assertEquals(pusher.id(), out.to().id());
        return m;
    }
}
