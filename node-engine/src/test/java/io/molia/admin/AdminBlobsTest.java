package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.BlobAction;
import io.molia.admin.proto.BlobChunk;
import io.molia.admin.proto.BlobGetOpen;
import io.molia.admin.proto.BlobPutOpen;
import io.molia.admin.proto.BlobTransferRef;
import io.molia.admin.proto.Error;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refusals of blob transfers over a real admin socket (docs/admin-api.md "Blobs"), each one line with its code
 * and counted: an unknown transfer, a blob over 256 MiB, a chunk out of order or past the size, a commit before
 * every byte came, a fifth transfer at once, a transfer dropped after its idle time (here 300 ms). The put and get of
 * a multi-MiB blob through these requests is {@code BlobCommandTest} (admin-shell), on 16 nodes. The counts are in the
 * {@code metrics} view, beside the node's blob figures.
 */
class AdminBlobsTest {
    private static final long IDLE_MS = 300;

    @TempDir
    Path dir;

    private MoliaNode node;
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private SocketChannel start() throws Exception {
        node = MoliaNode.start(new NodeConfig(dir.resolve("node"), new InetSocketAddress(InetAddress
                .getLoopbackAddress(), 0), List.of(), new byte[32], 1, null).withPowBits(4));
        server = AdminServer.start(node, AdminServer.Options.defaults(dir.resolve("node"), null, null),
                TimeUnit.MILLISECONDS.toNanos(IDLE_MS));
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(server.socket()));
        return ch;
    }

    private static AdminResponse call(SocketChannel ch, BlobAction.Builder a) throws Exception {
        byte[] body = AdminRequest.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(1).setBlob(a).build()
                .toByteArray();
        AdminProtocol.writeFully(ch, ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip());
        int len = AdminProtocol.readLength(ch);
        assertTrue(len >= 0, "an answer, not the end of the stream");
        return AdminResponse.parseFrom(AdminProtocol.readBody(ch, len));
    }

    private static BlobAction.Builder open(long size) {
        return BlobAction.newBuilder().setPutOpen(BlobPutOpen.newBuilder().setSize(size));
    }

    private static BlobAction.Builder chunk(long transfer, long offset, int bytes) {
        return BlobAction.newBuilder().setChunk(BlobChunk.newBuilder().setTransfer(transfer).setOffset(offset)
                .setData(ByteString.copyFrom(new byte[bytes])));
    }

    private static BlobAction.Builder status(long transfer) {
        return BlobAction.newBuilder().setStatus(BlobTransferRef.newBuilder().setTransfer(transfer));
    }

    private static void assertRefused(AdminResponse r, Error.Code code, String says) {
        assertTrue(r.hasError(), r.toString());
        assertEquals(code, r.getError().getCode(), r.toString());
        assertTrue(r.getError().getMessage().contains(says), r.getError().getMessage());
        assertEquals(1, r.getError().getMessage().lines().count(), "one line");
    }

    @Test
    void badBlobRequestsAreRefusedInOneLineAndCounted() throws Exception {
        try (SocketChannel ch = start()) {
            assertRefused(call(ch, status(99)), Error.Code.NOT_FOUND, "no blob transfer 99");
            assertRefused(call(ch, open((256L << 20) + 1)), Error.Code.INVALID_ARGUMENT,
                    "a blob holds 1 to 268435456 bytes, not 268435457");
            assertRefused(call(ch, open(0)), Error.Code.INVALID_ARGUMENT, "not 0");
            assertRefused(call(ch, BlobAction.newBuilder().setGetOpen(BlobGetOpen.newBuilder().setKey("abc"))),
                    Error.Code.INVALID_ARGUMENT, "64 hex digits");

            long t = call(ch, open(1_000_000)).getBlob().getTransfer();
            assertEquals("receiving", call(ch, status(t)).getBlob().getState());
            assertRefused(call(ch, chunk(t, 0, 600_000)), Error.Code.INVALID_ARGUMENT, "at most 524288");
            assertEquals(500_000, call(ch, chunk(t, 0, 500_000)).getBlob().getReceived());
            assertRefused(call(ch, chunk(t, 0, 1_000)), Error.Code.INVALID_ARGUMENT, "expected at 500000");
            assertRefused(call(ch, chunk(t, 500_000, 500_001)), Error.Code.INVALID_ARGUMENT, "1000000 bytes in all");
            assertRefused(call(ch, BlobAction.newBuilder().setCommit(BlobTransferRef.newBuilder().setTransfer(t))),
                    Error.Code.INVALID_ARGUMENT, "received 500000 of 1000000 bytes");

            assertTrue(call(ch, open(256L << 20)).hasBlob(), "an open holds no memory until its first chunk");
            assertRefused(call(ch, open(256L << 20)), Error.Code.BUSY, "hold 269435456 bytes; 268435456 more would "
                    + "pass 536870912");
            for (int i = 0; i < 2; i++) {
                assertTrue(call(ch, open(10)).hasBlob());
            }
            assertRefused(call(ch, open(10)), Error.Code.BUSY, "4 blob transfers are open already");
            assertEquals(4, server.blobs.open());

            Thread.sleep(IDLE_MS + 1_200); // the idle time, and the once-a-second sweep
            assertEquals(0, server.blobs.open(), "idle transfers are dropped without a further request");
            assertRefused(call(ch, status(t)), Error.Code.NOT_FOUND, "no blob transfer " + t + " (closed, or idle");
            assertEquals(4, server.blobs.idleDropped.get());
            assertEquals(11, server.blobs.refused.get());

            byte[] body = AdminRequest.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(2).setMetrics(
                    io.molia.admin.proto.MetricsRequest.getDefaultInstance()).build().toByteArray();
            AdminProtocol.writeFully(ch, ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip());
            java.util.Map<String, Long> counters = AdminResponse.parseFrom(AdminProtocol.readBody(ch,
                    AdminProtocol.readLength(ch))).getMetrics().getCountersMap();
            assertEquals(11L, counters.get("admin_blob_requests_refused"), counters.toString());
            assertEquals(4L, counters.get("admin_blob_transfers_idle_dropped"));
            assertEquals(0L, counters.get("blob_chunks_sent"), "the blob figures are in the view too");
        }
    }
}
