package io.molia.admin;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The framing of the admin socket, shared by the node and its clients: a 4-byte big-endian length, then that many
 * bytes of one protobuf message ({@code AdminRequest} or {@code AdminResponse}, admin.proto).
 */
public final class AdminProtocol {
    /** The admin API version this build speaks (and the only one it accepts). */
    public static final int API_VERSION = 1;
    public static final int MIN_API_VERSION = 1;
    /** Requests larger than this are answered TOO_LARGE and the connection is closed. */
    public static final int MAX_REQUEST_BYTES = 1 << 20;
    /** Responses are bounded too (a full routing table with contacts is about 1 MiB). */
    public static final int MAX_RESPONSE_BYTES = 16 << 20;
    /** The socket file in a node's data dir. */
    public static final String SOCKET_FILE = "admin.sock";

    private AdminProtocol() {
    }

    /** One frame around {@code message}. */
    public static ByteBuffer frame(byte[] message) {
        ByteBuffer b = ByteBuffer.allocate(4 + message.length);
        b.putInt(message.length).put(message).flip();
        return b;
    }

    public static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * The length of the next frame, or -1 at a clean end of stream (no byte of a new frame read). Throws
     * EOFException when the stream ends inside the prefix.
     */
    public static int readLength(ReadableByteChannel ch) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(4);
        while (len.hasRemaining()) {
            if (ch.read(len) < 0) {
                if (len.position() == 0) {
                    return -1;
                }
                throw new EOFException("the stream ended inside a frame's length");
            }
        }
        return len.flip().getInt();
    }

    public static byte[] readBody(ReadableByteChannel ch, int length) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(length);
        while (body.hasRemaining()) {
            if (ch.read(body) < 0) {
                throw new EOFException("the stream ended inside a frame");
            }
        }
        return body.array();
    }
}
