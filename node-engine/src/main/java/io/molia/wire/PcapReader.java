package io.molia.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a capture file: classic pcap (either byte order, microsecond or nanosecond timestamps) or pcapng (section
 * header, interface description, enhanced and simple packet blocks; per-interface link type and timestamp
 * resolution). A record cut short at the end of the file (a capture killed while writing) ends the capture and is
 * reported as {@link Capture#truncated()}.
 */
public final class PcapReader {
    /** One captured frame: its number in the file (from 1), time, link type and the bytes captured. */
    public record Frame(int number, long epochNanos, int linkType, byte[] data) {
    }

    public record Capture(List<Frame> frames, boolean truncated) {
    }

    private static final int PCAP_MICROS = 0xa1b2c3d4;
    private static final int PCAP_NANOS = 0xa1b23c4d;
    private static final int PCAPNG_SECTION = 0x0a0d0d0a;
    private static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
    private static final int BLOCK_INTERFACE = 1;
    private static final int BLOCK_PACKET_OBSOLETE = 2;
    private static final int BLOCK_SIMPLE_PACKET = 3;
    private static final int BLOCK_ENHANCED_PACKET = 6;
    private static final int OPTION_TSRESOL = 9;

    private PcapReader() {
    }

    /** Reads {@code file}; throws with a one-line reason when it is missing or not a capture. */
    public static Capture read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException(file + ": cannot be read: " + e.getMessage(), e);
        }
        try {
            return read(bytes);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public static Capture read(byte[] bytes) throws IOException {
        if (bytes.length < 4) {
            throw new IOException("not a pcap or pcapng capture (" + bytes.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == PCAPNG_SECTION) {
            return readPcapng(b);
        }
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            int m = b.order(order).getInt(0);
            if (m == PCAP_MICROS || m == PCAP_NANOS) {
                return readPcap(b, m == PCAP_NANOS ? 1 : 1000);
            }
        }
        throw new IOException("not a pcap or pcapng capture (magic 0x" + Integer.toHexString(magic) + ")");
    }

    private static Capture readPcap(ByteBuffer b, long nanosPerUnit) throws IOException {
        if (b.limit() < 24) {
            throw new IOException("a pcap header is 24 bytes, the file has " + b.limit());
        }
        int linkType = b.getInt(20) & 0x0fff_ffff; // the upper bits may carry FCS information
        List<Frame> frames = new ArrayList<>();
        int at = 24;
        while (at < b.limit()) {
            if (at + 16 > b.limit()) {
                return new Capture(frames, true);
            }
            long seconds = b.getInt(at) & 0xffff_ffffL;
            long fraction = b.getInt(at + 4) & 0xffff_ffffL;
            int captured = b.getInt(at + 8);
            if (captured < 0 || at + 16 + (long) captured > b.limit()) {
                return new Capture(frames, true);
            }
            byte[] data = new byte[captured];
            b.get(at + 16, data);
            long epochNanos = seconds * 1_000_000_000L + fraction * nanosPerUnit;
            frames.add(new Frame(frames.size() + 1, epochNanos, linkType, data));
            at += 16 + captured;
        }
        return new Capture(frames, false);
    }

    /** An interface of a pcapng section: its link type and timestamp resolution ({@link #toNanos}). */
    private record Interface(int linkType, int resolution) {
    }

    private static Capture readPcapng(ByteBuffer b) throws IOException {
        List<Frame> frames = new ArrayList<>();
        List<Interface> interfaces = new ArrayList<>();
        int at = 0;
        while (at < b.limit()) {
            if (at + 12 > b.limit()) {
                return new Capture(frames, true);
            }
            int type = b.getInt(at);
            if (type == PCAPNG_SECTION) {
                int order = b.order(ByteOrder.BIG_ENDIAN).getInt(at + 8);
                if (order == PCAPNG_BYTE_ORDER) {
                    b.order(ByteOrder.BIG_ENDIAN);
                } else if (Integer.reverseBytes(order) == PCAPNG_BYTE_ORDER) {
                    b.order(ByteOrder.LITTLE_ENDIAN);
                } else {
                    throw new IOException("pcapng section at byte " + at + " has no byte-order magic");
                }
                interfaces.clear(); // interface ids count from 0 again in each section
            }
            int length = b.getInt(at + 4);
            if (length < 12 || length % 4 != 0) {
                throw new IOException("pcapng block at byte " + at + " has a bad length " + length);
            }
            if (at + (long) length > b.limit()) {
                return new Capture(frames, true);
            }
            int body = at + 8;
            int bodyEnd = at + length - 4;
            int minimum = switch (type) {
                case BLOCK_INTERFACE -> 8;
                case BLOCK_ENHANCED_PACKET, BLOCK_PACKET_OBSOLETE -> 20;
                case BLOCK_SIMPLE_PACKET -> 4;
                default -> 0;
            };
            if (bodyEnd - body < minimum) {
                throw new IOException("pcapng block at byte " + at + " is too short for its type " + type);
            }
            switch (type) {
                case BLOCK_INTERFACE -> interfaces.add(new Interface(b.getShort(body) & 0xffff,
                        resolution(b, body + 8, bodyEnd)));
                case BLOCK_ENHANCED_PACKET, BLOCK_PACKET_OBSOLETE -> {
                    boolean enhanced = type == BLOCK_ENHANCED_PACKET;
                    int id = enhanced ? b.getInt(body) : b.getShort(body) & 0xffff;
                    if (id < 0 || id >= interfaces.size()) {
                        throw new IOException("pcapng packet at byte " + at + " names interface " + id
                                + ", which was not described");
                    }
                    Interface itf = interfaces.get(id);
                    long units = (b.getInt(body + 4) & 0xffff_ffffL) << 32 | (b.getInt(body + 8) & 0xffff_ffffL);
                    int captured = b.getInt(body + 12);
                    if (captured < 0 || body + 20L + captured > bodyEnd) {
                        throw new IOException("pcapng packet at byte " + at + " is longer than its block");
                    }
                    byte[] data = new byte[captured];
                    b.get(body + 20, data);
                    frames.add(new Frame(frames.size() + 1, toNanos(units, itf.resolution()), itf.linkType(), data));
                }
                case BLOCK_SIMPLE_PACKET -> {
                    if (interfaces.isEmpty()) {
                        throw new IOException("pcapng packet at byte " + at + " comes before any interface");
                    }
                    int captured = Math.min(b.getInt(body), bodyEnd - body - 4); // no caplen: up to the block's end
                    byte[] data = new byte[Math.max(0, captured)];
                    b.get(body + 4, data);
                    frames.add(new Frame(frames.size() + 1, 0, interfaces.get(0).linkType(), data));
                }
                default -> {
                    // other blocks (statistics, name resolution, custom) say nothing about datagrams
                }
            }
            at += length;
        }
        return new Capture(frames, false);
    }

    /** The interface's if_tsresol option (6, microseconds, when absent). */
    private static int resolution(ByteBuffer b, int options, int end) {
        int at = options;
        while (at + 4 <= end) {
            int code = b.getShort(at) & 0xffff;
            int length = b.getShort(at + 2) & 0xffff;
            if (code == 0) {
                break;
            }
            if (code == OPTION_TSRESOL && length >= 1 && at + 5 <= end) {
                return b.get(at + 4) & 0xff;
            }
            at += 4 + ((length + 3) & ~3);
        }
        return 6;
    }

    /** Nanoseconds since the epoch of a pcapng timestamp in units of 10^-n seconds, or 2^-n with the top bit set. */
    static long toNanos(long units, int resolution) {
        int n = resolution & 0x7f;
        if ((resolution & 0x80) != 0) {
            return (long) (units * (1e9 / Math.pow(2, n)));
        }
        if (n <= 9) {
            return units * POWERS_OF_TEN[9 - n];
        }
        return n - 9 < POWERS_OF_TEN.length ? units / POWERS_OF_TEN[n - 9] : 0;
    }

    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
        100_000_000, 1_000_000_000};
}
