package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.molia.admin.AdminProtocol;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.Error;

/**
 * The admin socket's read side (what {@code AdminConnection}'s read loop runs: {@link AdminProtocol#readRequest} and
 * {@link AdminProtocol#refusal}) over a client stream of arbitrary bytes, frame after frame, without a socket.
 * Invariants: every frame ends in a request or an error answer, or the stream ends (cleanly between frames, or with
 * EOFException inside one); nothing else is thrown. A length prefix above the limit (or negative as a signed int)
 * is refused TOO_LARGE with a close before a byte of its body is read. An accepted request re-encodes to bytes that
 * parse equal. A request without a known body maps to UNKNOWN_REQUEST, a version outside the supported range to
 * UNSUPPORTED_VERSION (version first), anything else is served.
 */
class AdminFrameFuzzTest {
    /** The fuzzer's bytes as a client's stream, handing out at most {@code chunk} bytes per read as a socket may. */
    private static final class Stream implements ReadableByteChannel {
        final byte[] data;
        int position;

        Stream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position == data.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), Math.min(data.length - position, 1 + (position % 7) * 3));
            dst.put(data, position, n);
            position += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyFrameGetsAnAnswerOrAClose(byte[] data) throws InvalidProtocolBufferException {
        Stream in = new Stream(data);
        for (int frames = 0; ; frames++) {
            assertTrue(frames <= data.length / 4 + 1, "more frames than the stream can hold");
            int start = in.position;
            AdminProtocol.Incoming frame;
            try {
                frame = AdminProtocol.readRequest(in);
            } catch (EOFException documented) {
                assertEquals(data.length, in.position, "EOFException before the end of the stream");
                long prefix = data.length - start >= 4 ? ByteBuffer.wrap(data, start, 4).getInt() & 0xffff_ffffL : -1;
                assertTrue(prefix < 0 || prefix > data.length - start - 4, "EOF inside a frame the stream holds");
                return;
            } catch (IOException e) {
                throw new AssertionError("an IOException other than EOF from an in-memory stream", e);
            }
            if (frame == null) {
                assertEquals(start, data.length, "a clean end only between frames");
                return;
            }
            assertTrue(data.length - start >= 4, "a frame without its length prefix");
            long length = ByteBuffer.wrap(data, start, 4).getInt() & 0xffff_ffffL;
            if (length > AdminProtocol.MAX_REQUEST_BYTES) {
                assertEquals(Error.Code.TOO_LARGE, frame.error(), "an oversized prefix of " + length);
                assertTrue(frame.close(), "TOO_LARGE closes the connection");
                assertEquals(start + 4, in.position, "read the body of a frame it refused");
                return;
            }
            assertEquals(start + 4 + length, in.position, "a frame consumed other than its prefix and body");
            byte[] body = java.util.Arrays.copyOfRange(data, start + 4, in.position);
            if (frame.error() != null) {
                assertEquals(Error.Code.MALFORMED, frame.error());
                assertNull(frame.request());
                assertTrue(!frame.close(), "a malformed frame keeps the connection");
                assertThrowsOnParse(body);
                continue;
            }
            AdminRequest request = frame.request();
            assertNotNull(request);
            assertEquals(request, AdminRequest.parseFrom(request.toByteArray()), "accepted request round-trips");
            assertEquals(request, AdminRequest.parseFrom(body), "the request is the body's");
            Error.Code refused = AdminProtocol.refusal(request);
            if (request.getVersion() < AdminProtocol.MIN_API_VERSION || request.getVersion() > AdminProtocol.API_VERSION) {
                assertEquals(Error.Code.UNSUPPORTED_VERSION, refused);
            } else if (request.getBodyCase() == AdminRequest.BodyCase.BODY_NOT_SET) {
                assertEquals(Error.Code.UNKNOWN_REQUEST, refused);
            } else {
                assertNull(refused, "a request with a supported version and a known body is served");
            }
        }
    }

    private static void assertThrowsOnParse(byte[] body) {
        try {
            AdminRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException expected) {
            return;
        }
        throw new AssertionError("MALFORMED for a body protobuf-java parses");
    }
}
