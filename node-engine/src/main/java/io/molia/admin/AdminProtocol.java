package io.molia.admin;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.Error;

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

    /** One frame around {@code message}, serialized straight into it (no second copy of a large view). */
    public static ByteBuffer frame(MessageLite message) {
        int size = message.getSerializedSize();
        byte[] frame = new byte[4 + size];
        ByteBuffer.wrap(frame).putInt(size);
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(frame, 4, size);
            message.writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new AssertionError("writing into an array of the message's own size cannot fail", e);
        }
        return ByteBuffer.wrap(frame);
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

    /**
     * One frame from a client as the server takes it, decided before any node state is touched: a request to
     * serve ({@code error} null), or the error to answer, with {@code close} when the connection closes after it.
     */
    public record Incoming(AdminRequest request, Error.Code error, String message, boolean close) {
    }

    /**
     * Reads one request frame: null at a clean end of stream (no byte of a new frame), an {@link Incoming}
     * otherwise; throws only the channel's IOException, or EOFException when the stream ends inside a frame. A
     * length prefix above {@link #MAX_REQUEST_BYTES} (or negative as a signed int) is refused TOO_LARGE before a
     * byte of its body is read or allocated. The server's read loop is this and {@link #refusal}.
     */
    public static Incoming readRequest(ReadableByteChannel ch) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(4);
        while (prefix.hasRemaining()) {
            if (ch.read(prefix) < 0) {
                if (prefix.position() == 0) {
                    return null;
                }
                throw new EOFException("the stream ended inside a frame's length");
            }
        }
        int length = prefix.flip().getInt();
        if (length < 0 || length > MAX_REQUEST_BYTES) {
            return new Incoming(null, Error.Code.TOO_LARGE, "a request of " + Integer.toUnsignedString(length)
                    + " bytes exceeds " + MAX_REQUEST_BYTES, true);
        }
        return decodeRequest(readBody(ch, length));
    }

    /** A frame's body as a request, or MALFORMED when it is not an {@code AdminRequest}. */
    public static Incoming decodeRequest(byte[] body) {
        try {
            return new Incoming(AdminRequest.parseFrom(body), null, null, false);
        } catch (InvalidProtocolBufferException e) {
            return new Incoming(null, Error.Code.MALFORMED, "not an AdminRequest: " + e.getMessage(), false);
        }
    }

    /**
     * What a parsed request is refused with before it is served: UNSUPPORTED_VERSION outside
     * [{@link #MIN_API_VERSION}, {@link #API_VERSION}], UNKNOWN_REQUEST without a body this build knows (none, or
     * only unknown fields); null to serve it.
     */
    public static Error.Code refusal(AdminRequest request) {
        if (request.getVersion() < MIN_API_VERSION || request.getVersion() > API_VERSION) {
            return Error.Code.UNSUPPORTED_VERSION;
        }
        if (request.getBodyCase() == AdminRequest.BodyCase.BODY_NOT_SET) {
            return Error.Code.UNKNOWN_REQUEST;
        }
        return null;
    }
}
