package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.WireMessage;

/**
 * Molia's in-place codec against the specification ({@link WireView#ofReference}: protobuf-java plus Molia's
 * rules): the same accept/reject decision and the same fields for every input. The input is also decoded from
 * inside a larger buffer with different bytes after it: a decoder that read past the datagram's length would
 * see those bytes and disagree with itself (and an exact-size array would throw).
 */
class FlyweightDifferentialFuzzTest {
    private final MessageCodec codec = new MessageCodec(1);
    private final WireMessage message = new WireMessage();

    @FuzzTest(maxDuration = "30s")
    void sameDecisionAndFieldsAsProtobufJava(byte[] data) {
        WireView expected = WireView.ofReference(data);
        DecodeStatus status = codec.decode(data, 0, data.length, message);
        WireView actual = WireView.ofCodec(status, message);
        if (WireView.mayHoldOverlongVarint(data) && actual.outcome() == WireView.Outcome.REJECTED) {
            return; // where protobuf-java's own decision depends on its buffer position, Molia rejects
        }
        if (WireView.bodyReturnsAfterAnother(data)) {
            return; // protobuf-java revives the earlier body's contents here; Molia follows the spec (see WireView)
        }
        assertEquals(expected, actual, () -> "input " + HexFormat.of().formatHex(data));

        byte[] padded = new byte[data.length + 64];
        Arrays.fill(padded, (byte) 0x0a); // 0x0a is the tag of field 1, length-delimited: a plausible tail
        System.arraycopy(data, 0, padded, 7, data.length);
        DecodeStatus inPlace = codec.decode(padded, 7, data.length, message);
        assertEquals(expected, WireView.ofCodec(inPlace, message), "decoding in place must not look past the length");
    }
}
