package io.molia.waltools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.PeerScores;
import io.molia.wal.WalEntries;
import io.molia.wal.WalFormat;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;

/**
 * {@code molia wal dump}: every entry of a WAL as one human-readable line or one JSON object, in order, with shard,
 * generation, Chronicle index and sequence; problems are printed where they occur (to stderr).
 */
public final class WalDumper {
    /** What to dump. */
    public record Options(Integer shard, long fromIndex, long limit, int type, boolean json) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;
    private final PrintStream err;
    private final boolean live;
    private long printed;

    /** {@code live}: a running node holds the data dir (the end of its newest generation may be in flux). */
    public WalDumper(PrintStream out, PrintStream err, boolean live) {
        this.out = out;
        this.err = err;
        this.live = live;
    }

    public WalDumper(PrintStream out, PrintStream err) {
        this(out, err, false);
    }

    /** Dumps; returns the number of problems found. */
    public int dump(WalLayout.Target target, Options o) throws IOException {
        int problems = 0;
        if (o.limit() == 0) {
            return 0;
        }
        for (Map.Entry<Integer, Path> s : target.shards().entrySet()) {
            if (o.shard() != null && !o.shard().equals(s.getKey())) {
                continue;
            }
            WalScanner scan = new WalScanner(s.getKey(), s.getValue());
            if (live) {
                scan.live();
            }
            scan.scan(false, target.onlyGeneration(), o.fromIndex(), e -> {
                if (o.type() >= 0 && e.type != o.type()) {
                    return true;
                }
                out.println(o.json() ? json(e) : line(e));
                return ++printed < o.limit();
            });
            for (WalScanner.Problem p : scan.problems()) {
                err.println("problem: " + p);
            }
            problems += scan.problems().size();
            if (printed >= o.limit()) {
                break;
            }
        }
        return problems;
    }

    /**
     * Prints entries as they are appended (a live node may hold the data dir: this only reads), moving on to the
     * next generation when a compaction or a restart starts one. Runs until interrupted.
     */
    public void follow(WalLayout.Target target, Options o) throws IOException, InterruptedException {
        int shard = o.shard() != null ? o.shard() : target.shards().firstKey();
        Path dir = target.shards().get(shard);
        java.util.List<Long> gens = WalLayout.generations(dir);
        long gen = gens.isEmpty() ? 1 : gens.get(gens.size() - 1);
        long next = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long[] last = {-1};
            WalScanner scan = new WalScanner(shard, dir);
            scan.tail(gen, next, e -> {
                last[0] = e.index;
                if (o.type() < 0 || e.type == o.type()) {
                    out.println(o.json() ? json(e) : line(e));
                }
                return true;
            });
            for (WalScanner.Problem p : scan.problems()) {
                err.println("problem: " + p);
            }
            out.flush();
            if (last[0] >= 0) {
                next = last[0] + 1;
                continue;
            }
            gens = WalLayout.generations(dir);
            long newer = -1;
            for (long g : gens) {
                if (g > gen) {
                    newer = g;
                    break;
                }
            }
            if (newer > 0) {
                gen = newer;
                next = 0;
                continue;
            }
            Thread.sleep(200);
        }
    }

    public long printed() {
        return printed;
    }

    /** One line: {@code shard 0 gen 1 index 0x... seq 17 record_put v1 key=… value=… expires=…}. */
    public static String line(WalScanner.Entry e) {
        StringBuilder b = new StringBuilder();
        b.append("shard ").append(e.shard).append(" gen ").append(e.generation).append(" index 0x")
                .append(Long.toHexString(e.index)).append(" seq ").append(e.sequence).append(' ')
                .append(WalFormat.typeName(e.type)).append(" v").append(e.version);
        for (Map.Entry<String, Object> f : fields(e).entrySet()) {
            b.append(' ').append(f.getKey()).append('=').append(f.getValue());
        }
        return b.toString();
    }

    public static String json(WalScanner.Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("shard", e.shard);
        n.put("generation", e.generation);
        n.put("index", e.index);
        n.put("sequence", e.sequence);
        n.put("type", WalFormat.typeName(e.type));
        n.put("version", e.version);
        n.put("bytes", e.length);
        for (Map.Entry<String, Object> f : fields(e).entrySet()) {
            if (f.getValue() instanceof Number num) {
                n.put(f.getKey(), num.longValue());
            } else if (f.getValue() instanceof Preview v) {
                n.put(v.text() != null ? f.getKey() : f.getKey() + "_hex", v.text() != null ? v.text() : v.hex());
            } else {
                n.put(f.getKey(), String.valueOf(f.getValue()));
            }
        }
        return n.toString();
    }

    private static Map<String, Object> fields(WalScanner.Entry e) {
        Map<String, Object> f = new java.util.LinkedHashMap<>();
        byte[] b = e.buf;
        int p = e.payloadOffset();
        switch (e.type) {
            case WalFormat.TYPE_HEADER -> {
                f.put("format", (b[p] & 0xff) | (b[p + 1] & 0xff) << 8);
                f.put("first_sequence", WalFormat.getLong(b, p + 8));
                f.put("created", Instant.ofEpochMilli(WalFormat.getLong(b, p + 16)).toString());
            }
            case WalFormat.TYPE_RECORD_PUT -> {
                f.put("key", NodeId.fromBytes(b, p).toHex());
                int len = WalFormat.getInt(b, p + 48);
                f.put("value_bytes", len);
                f.put("value", preview(b, p + 52, len));
                f.put("stored", Instant.ofEpochMilli(WalFormat.getLong(b, p + 32)).toString());
                f.put("expires", Instant.ofEpochMilli(WalFormat.getLong(b, p + 40)).toString());
            }
            case WalFormat.TYPE_RECORD_DELETE, WalFormat.TYPE_RECORD_EXPIRE -> f.put("key", NodeId.fromBytes(b, p)
                    .toHex());
            case WalFormat.TYPE_PEER_ADD -> {
                f.put("node", NodeId.fromBytes(b, p).toHex());
                NodeAddress a = NodeAddress.readFrom(b, p + 73, b[p + 72] & 0xff);
                f.put("address", String.valueOf(a));
                int relay = p + 73 + (b[p + 72] & 0xff);
                if (WalFormat.version(b, p - WalFormat.HEADER_BYTES) == 2) { // reached through this relay
                    f.put("relay", NodeId.fromBytes(b, relay).toHex());
                    f.put("relay_address", String.valueOf(NodeAddress.readFrom(b, relay + 73, b[relay + 72] & 0xff)));
                }
            }
            case WalFormat.TYPE_PEER_REMOVE -> f.put("node", NodeId.fromBytes(b, p).toHex());
            case WalFormat.TYPE_PEER_SCORE -> {
                f.put("node", NodeId.fromBytes(b, p).toHex());
                f.put("failures", WalFormat.getInt(b, p + 32));
            }
            case WalFormat.TYPE_MUTABLE_PUT -> {
                f.put("public_key", java.util.HexFormat.of().formatHex(b, p + 16, p + 48));
                f.put("seq", WalFormat.getLong(b, p + 48));
                int saltLength = b[p + 120] & 0xff;
                f.put("salt", preview(b, p + 121, saltLength));
                int len = WalFormat.getInt(b, p + 121 + saltLength);
                f.put("value_bytes", len);
                f.put("value", preview(b, p + 125 + saltLength, len));
                f.put("stored", Instant.ofEpochMilli(WalFormat.getLong(b, p)).toString());
                f.put("expires", Instant.ofEpochMilli(WalFormat.getLong(b, p + 8)).toString());
            }
            case WalFormat.TYPE_MUTABLE_REMOVE, WalFormat.TYPE_BLOB_REMOVE ->
                f.put("key", NodeId.fromBytes(b, p).toHex());
            case WalFormat.TYPE_PROVIDER_PUT -> {
                f.put("key", NodeId.fromBytes(b, p).toHex());
                f.put("provider", NodeId.ofPublicKey(java.util.Arrays.copyOfRange(b, p + 48, p + 80)).toHex());
                f.put("seq", WalFormat.getLong(b, p + 80));
                f.put("addresses", b[p + 160] & 0xff);
                f.put("stored", Instant.ofEpochMilli(WalFormat.getLong(b, p + 32)).toString());
                f.put("expires", Instant.ofEpochMilli(WalFormat.getLong(b, p + 40)).toString());
                if (e.version == 2) { // with the provider's announcement
                    int at = p + e.payloadLength() - WalEntries.PROVIDER_ANNOUNCEMENT_BYTES;
                    f.put("announced_until", Instant.ofEpochSecond(WalFormat.getLong(b, at)).toString());
                }
            }
            case WalFormat.TYPE_PROVIDER_REMOVE -> {
                f.put("key", NodeId.fromBytes(b, p).toHex());
                f.put("provider", NodeId.fromBytes(b, p + 32).toHex());
            }
            case WalFormat.TYPE_PEER_BEHAVIOUR -> {
                f.put("node", NodeId.fromBytes(b, p).toHex());
                f.put("updated", Instant.ofEpochMilli(WalFormat.getLong(b, p + 32)).toString());
                double[] counts = WalEntries.readBehaviourCounts(b, p);
                PeerScores.Reason[] reasons = PeerScores.Reason.values();
                double score = 0;
                for (int i = 0; i < counts.length; i++) {
                    String name = i < reasons.length ? reasons[i].label() : "count_" + i;
                    f.put(name, String.format(java.util.Locale.ROOT, "%.2f", counts[i]));
                    score += i < reasons.length ? counts[i] * reasons[i].weight() : 0;
                }
                f.put("score", String.format(java.util.Locale.ROOT, "%.2f", score));
            }
            case WalFormat.TYPE_BAN -> {
                boolean peer = b[p] == WalEntries.BAN_PEER;
                f.put("kind", peer ? "peer" : "subnet");
                f.put("target", peer ? NodeId.fromBytes(b, p + 1).toHex()
                        : NodeAddress.subnetText(WalFormat.getLong(b, p + 1)));
                long expires = WalFormat.getLong(b, p + 33);
                f.put("expires", expires == 0 ? "lifted" : Instant.ofEpochMilli(expires).toString());
            }
            case WalFormat.TYPE_BLOB_FRAGMENT -> {
                f.put("key", NodeId.fromBytes(b, p).toHex());
                int o = p + 32; // the fragment as pushed: "MF" | version | index | manifest key | stripe (big-endian)
                f.put("blob", NodeId.fromBytes(b, o + 4).toHex());
                f.put("stripe", java.nio.ByteBuffer.wrap(b, o + 36, 4).getInt() & 0xffff_ffffL);
                f.put("index", b[o + 3] & 0xff);
                f.put("data_bytes", e.payloadLength() - 32 - io.molia.blob.FragmentObject.HEADER_BYTES);
            }
            case WalFormat.TYPE_BLOB_MANIFEST -> {
                f.put("key", NodeId.fromBytes(b, p).toHex());
                int o = p + 32; // the manifest: "MB" | version | 0 | blob bytes u64 | stripe bytes u32 | stripes u32
                f.put("blob_bytes", java.nio.ByteBuffer.wrap(b, o + 4, 8).getLong());
                f.put("stripes", java.nio.ByteBuffer.wrap(b, o + 16, 4).getInt() & 0xffff_ffffL);
            }
            case WalFormat.TYPE_REPUBLISH_ADD -> {
                boolean provider = b[p] == WalEntries.REPUBLISH_PROVIDER;
                int o = p + 1; // a provider_put or mutable_put payload
                f.put("kind", provider ? "provider" : "mutable");
                if (provider) {
                    f.put("key", NodeId.fromBytes(b, o).toHex());
                    f.put("seq", WalFormat.getLong(b, o + 80));
                    f.put("addresses", b[o + 160] & 0xff);
                } else {
                    f.put("public_key", java.util.HexFormat.of().formatHex(b, o + 16, o + 48));
                    f.put("seq", WalFormat.getLong(b, o + 48));
                    int saltLength = b[o + 120] & 0xff;
                    f.put("salt", preview(b, o + 121, saltLength));
                    f.put("value_bytes", WalFormat.getInt(b, o + 121 + saltLength));
                }
                int times = provider ? o + 32 : o;
                f.put("published", Instant.ofEpochMilli(WalFormat.getLong(b, times)).toString());
                f.put("next", Instant.ofEpochMilli(WalFormat.getLong(b, times + 8)).toString());
            }
            case WalFormat.TYPE_REPUBLISH_REMOVE -> {
                f.put("kind", b[p] == WalEntries.REPUBLISH_PROVIDER ? "provider" : "mutable");
                f.put("key", NodeId.fromBytes(b, p + 1).toHex());
            }
            default -> f.put("payload_bytes", e.payloadLength());
        }
        return f;
    }

    /**
     * The start of a value: printable ASCII as text (up to 48 chars), anything else as hex (up to 24 bytes). A line
     * shows text quoted and hex with 0x; JSON gives {@code value} (the text) or {@code value_hex}.
     */
    record Preview(String text, String hex) {
        @Override
        public String toString() {
            return text != null ? "\"" + text + "\"" : "0x" + hex;
        }
    }

    static Preview preview(byte[] b, int off, int len) {
        boolean text = true;
        for (int i = 0; i < len && text; i++) {
            text = b[off + i] >= 0x20 && b[off + i] < 0x7f && b[off + i] != '"';
        }
        if (text) {
            String start = new String(b, off, Math.min(len, 48), StandardCharsets.US_ASCII);
            return new Preview(start + (len > 48 ? "…" : ""), null);
        }
        return new Preview(null, HexFormat.of().formatHex(b, off, off + Math.min(len, 24)) + (len > 24 ? "…" : ""));
    }
}
