package io.molia.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;

/**
 * {@link WalFormat#check}, the one-entry check the scanner and the fuzz target share: one valid encoding per entry.
 * The three rejections below were accepted before fuzzing ({@code WalEntryFuzzTest}) found them; a re-sealed entry
 * (correct CRC32C) is what a bug in a writer, or a forged file, would produce.
 */
class WalFormatTest {
    private final WalFormat f = new WalFormat();

    private byte[] header() {
        byte[] b = new byte[64];
        return Arrays.copyOf(b, WalEntries.header(f, b, 3, 7, 1001, 1_790_000_000_000L));
    }

    private byte[] reseal(byte[] e) {
        WalFormat.putInt(e, 16, f.checksum(e, 0, e.length - WalFormat.HEADER_BYTES));
        return e;
    }

    @Test
    void realEntriesPassAndEveryByteCounts() {
        byte[] b = new byte[64];
        byte[] del = Arrays.copyOf(b, WalEntries.keyOnly(f, b, WalFormat.TYPE_RECORD_DELETE, 9, NodeId.fromBytes(new byte[32])));
        for (byte[] e : new byte[][] {header(), del}) {
            assertNull(f.check(e, 0, e.length));
            for (int i = 0; i < e.length; i++) {
                byte[] edited = e.clone();
                edited[i] ^= 1;
                assertTrue(f.check(edited, 0, edited.length) != null, "byte " + i + " flipped");
            }
            assertTrue(f.check(e, 0, e.length - 1) != null, "one byte short");
        }
    }

    @Test
    void reservedBytesMustBeZero() {
        byte[] e = header();
        e[2] = 5;
        assertEquals("reserved header bytes are not zero", f.check(reseal(e), 0, e.length));
    }

    @Test
    void aHeaderEntrysSequenceIsItsFirstSequence() {
        byte[] e = header();
        WalFormat.putLong(e, 8, 1002);
        assertEquals("header's sequence 1002 differs from its first sequence 1001", f.check(reseal(e), 0, e.length));
    }

    @Test
    void queueFormatZeroDoesNotExist() {
        byte[] e = header();
        e[WalFormat.HEADER_BYTES] = 0;
        assertTrue(f.check(reseal(e), 0, e.length).startsWith("queue format 0"));
        e[WalFormat.HEADER_BYTES] = 2;
        assertTrue(f.check(reseal(e), 0, e.length).startsWith("queue format 2 is newer"));
    }
}
