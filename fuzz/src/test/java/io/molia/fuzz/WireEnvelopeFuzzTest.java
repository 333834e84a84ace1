package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.molia.proto.Envelope;

/**
 * The schema of record (protobuf-java generated from {@code molia.proto}) over arbitrary bytes: parsing fails
 * only with its documented {@link InvalidProtocolBufferException}, and what it accepts re-encodes to bytes that
 * parse to an equal message and re-encode identically (canonical form is a fixed point).
 */
class WireEnvelopeFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void acceptedEnvelopesRoundTrip(byte[] data) {
        Envelope parsed;
        try {
            parsed = Envelope.parseFrom(data);
        } catch (InvalidProtocolBufferException documented) {
            return;
        }
        byte[] canonical = parsed.toByteArray();
        Envelope again;
        try {
            again = Envelope.parseFrom(canonical);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("protobuf-java rejects its own encoding of an accepted message", e);
        }
        assertEquals(parsed, again);
        assertEquals(com.google.protobuf.ByteString.copyFrom(canonical), again.toByteString());
    }
}
