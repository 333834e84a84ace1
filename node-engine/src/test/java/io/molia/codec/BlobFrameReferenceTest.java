package io.molia.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.molia.blob.BulkFrame;
import io.molia.proto.BlobFrame;
import io.molia.proto.Envelope;
import org.junit.jupiter.api.Test;

/** The blob frame body (envelope field 26) against protobuf-java, both ways; the largest one fits a datagram. */
class BlobFrameReferenceTest {
    private final WireMessage m = new WireMessage();
    private final byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];

    @Test
    void ourBlobFramesAreProtobufJavas() throws InvalidProtocolBufferException {
        MessageCodec codec = new MessageCodec(1);
        SplittableRandom random = new SplittableRandom(26);
        for (int round = 0; round < 300; round++) {
            byte[] frame = new byte[1 + random.nextInt(BulkFrame.MAX_DATA_BYTES)];
            random.nextBytes(frame);
            long token = random.nextInt(3) == 0 ? 0 : random.nextLong();
            int len = codec.encodeBlobFrame(buf, 0, frame, 0, frame.length, token);

            Envelope e = Envelope.parseFrom(Arrays.copyOf(buf, len));
            assertArrayEquals(e.toByteArray(), Arrays.copyOf(buf, len), "canonical proto3 encoding");
            assertEquals(Envelope.BodyCase.BLOB_FRAME, e.getBodyCase());
            assertEquals(ByteString.copyFrom(frame), e.getBlobFrame().getFrame());
            assertEquals(token, e.getBlobFrame().getWriteToken());

            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
            assertEquals(MessageKind.BLOB_FRAME, m.kind());
            assertArrayEquals(frame, m.copyValue());
            assertEquals(token, m.writeToken());

            byte[] theirs = Envelope.newBuilder().setVersion(1).setRequestId(random.nextLong())
                    .setBlobFrame(BlobFrame.newBuilder().setFrame(ByteString.copyFrom(frame)).setWriteToken(token))
                    .build().toByteArray();
            assertEquals(DecodeStatus.OK, codec.decode(theirs, 0, theirs.length, m));
            assertArrayEquals(frame, m.copyValue());
            assertEquals(token, m.writeToken());
        }
    }

    @Test
    void aFullDataFrameWithTokenFitsOneDatagramWhateverTheHeader() {
        // Every envelope field at its largest: min_version below version, all 64 feature bits, a 64-bit nonce.
        MessageCodec codec = new MessageCodec(new ProtocolRange(1, 2, -1L), -1L);
        byte[] frame = new byte[BulkFrame.MAX_DATA_BYTES];
        int len = codec.encodeBlobFrame(buf, 0, frame, 0, frame.length, -1L);
        assertTrue(len <= MessageCodec.MAX_DATAGRAM_BYTES, len + " bytes");
        assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
        assertEquals(frame.length, m.valueLength());
    }
}
