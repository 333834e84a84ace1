package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeAddress;
import io.molia.crypto.X25519Keys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with stock wireguard-go (Debian's package) running in a network namespace this test creates:
 * handshakes initiated from either side, keepalives, and an ICMP echo request sent by Molia inside a transport
 * message that reaches wireguard-go's tunnel interface (the namespace's kernel answers it, through the tunnel).
 * Needs root, iproute2, wireguard-go and wg: .ci/run installs them; without them the test fails, it never skips.
 */
@Tag("interop")
@Tag("crypto-engines")
class WireGuardGoInteropTest {
    private static final String NS = "molia-wg-" + ProcessHandle.current().pid();
    private static final String VETH_HOST = "mwg" + (ProcessHandle.current().pid() % 100_000) + "h";
    private static final String VETH_NS = "mwg" + (ProcessHandle.current().pid() % 100_000) + "n";
    private static final String HOST_IP = "10.203.0.1";
    private static final String NS_IP = "10.203.0.2";
    private static final int WG_PORT = 51820;
    private static final byte[] MOLIA_TUNNEL_IP = {10, (byte) 204, 0, 1};
    private static final byte[] WG_TUNNEL_IP = {10, (byte) 204, 0, 2};
    /** Wall time = WALL + System.nanoTime() (the TAI64N freshness window compares it with wireguard-go's clock). */
    private static final long WALL = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private static Process wireguardGo;
    private static Path keyFile;
    private static DatagramChannel socket;
    private static Selector selector;
    private static final byte[] MOLIA_PRIVATE = new byte[32];
    private static byte[] wgPublic;

    @BeforeAll
    static void createNamespaceWithWireguardGo() throws Exception {
        for (String tool : List.of("ip", "wg", "wireguard-go")) {
            if (run(false, "sh", "-c", "command -v " + tool) != 0) {
                fail(tool + " is not installed: .ci/run installs iproute2, wireguard-go and wireguard-tools");
            }
        }
        if (!"0".equals(output("id", "-u").strip())) {
            fail("the interop test needs root to create a network namespace");
        }
        SplittableRandom random = new SplittableRandom(99);
        random.nextBytes(MOLIA_PRIVATE);
        X25519Keys.clamp(MOLIA_PRIVATE);
        byte[] wgPrivate = new byte[32];
        random.nextBytes(wgPrivate);
        X25519Keys.clamp(wgPrivate);
        wgPublic = X25519Keys.publicKey(wgPrivate);

        run(true, "ip", "netns", "add", NS);
        run(true, "ip", "link", "add", VETH_HOST, "type", "veth", "peer", "name", VETH_NS);
        run(true, "ip", "link", "set", VETH_NS, "netns", NS);
        run(true, "ip", "addr", "add", HOST_IP + "/30", "dev", VETH_HOST);
        run(true, "ip", "link", "set", VETH_HOST, "up");
        inNs("ip", "addr", "add", NS_IP + "/30", "dev", VETH_NS);
        inNs("ip", "link", "set", VETH_NS, "up");
        inNs("ip", "link", "set", "lo", "up");

        socket = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName(HOST_IP), 0));
        socket.configureBlocking(false);
        selector = Selector.open();
        socket.register(selector, SelectionKey.OP_READ);

        wireguardGo = new ProcessBuilder("ip", "netns", "exec", NS, "wireguard-go", "-f", "wgm0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (run(false, "ip", "netns", "exec", NS, "ip", "link", "show", "wgm0") != 0) {
            if (System.nanoTime() > deadline) {
                fail("wireguard-go did not create its interface within 10 s");
            }
            Thread.sleep(50);
        }
        keyFile = Files.createTempFile("molia-wg", ".key",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(wgPrivate) + "\n");
        int moliaPort = ((InetSocketAddress) socket.getLocalAddress()).getPort();
        inNs("wg", "set", "wgm0", "private-key", keyFile.toString(), "listen-port", String.valueOf(WG_PORT),
                "peer", Base64.getEncoder().encodeToString(X25519Keys.publicKey(MOLIA_PRIVATE)),
                "allowed-ips", "10.204.0.1/32", "endpoint", HOST_IP + ":" + moliaPort, "persistent-keepalive", "1");
        inNs("ip", "addr", "add", "10.204.0.2/24", "dev", "wgm0");
        inNs("ip", "link", "set", "wgm0", "up");
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (wireguardGo != null) {
            wireguardGo.destroy();
            wireguardGo.waitFor(5, TimeUnit.SECONDS);
            wireguardGo.destroyForcibly();
        }
        if (socket != null) {
            socket.close();
            selector.close();
        }
        run(false, "ip", "netns", "del", NS);
        run(false, "ip", "link", "del", VETH_HOST);
        if (keyFile != null) {
            Files.deleteIfExists(keyFile);
        }
        assertTrue(run(false, "sh", "-c", "ip netns list | grep -q " + NS) != 0, "namespace removed");
    }

    private SessionManager newMolia() {
        SessionManager m = new SessionManager(new StaticIdentity(MOLIA_PRIVATE), new byte[32], new byte[32], 0, 2,
                16, new SplittableRandom(7), (id, key, pow) -> true);
        m.allowPlainPeer(wgPublic, NodeAddress.parseIpv4(NS_IP + ":" + WG_PORT));
        return m;
    }

    @Test
    void wireguardGoInitiatesThenMoliaInitiatesAndPacketsCrossBothWays() throws Exception {
        // 1. wireguard-go starts the handshake (persistent keepalive), Molia answers, keepalives arrive.
        SessionManager molia = newMolia();
        pumpUntil(molia, m -> m.counters().handshakesCompleted == 1 && keepalivesSeen, 10);
        assertEquals(0, molia.counters().badMac1 + molia.counters().badHandshake);
        echoThroughTunnel(molia, 1);

        // 2. A fresh Molia state initiates; wireguard-go accepts the newer handshake.
        SessionManager again = newMolia();
        again.connectPlain(System.nanoTime(), WALL + System.nanoTime(), wgPublic);
        flush(again);
        pumpUntil(again, m -> m.counters().handshakesCompleted == 1, 10);
        echoThroughTunnel(again, 2);
        assertTrue(Integer.parseInt(output("ip", "netns", "exec", NS, "sh", "-c",
                "cat /sys/class/net/wgm0/statistics/rx_packets").strip()) >= 2,
                "the echo requests appeared on wireguard-go's tunnel interface");
    }

    /** Set when an empty transport message (a keepalive) from wireguard-go authenticated. */
    private static boolean keepalivesSeen;

    /** Sends an ICMP echo request 10.204.0.1 → 10.204.0.2 through the tunnel and waits for the reply. */
    private void echoThroughTunnel(SessionManager molia, int sequence) throws Exception {
        byte[] request = icmpEcho(sequence);
        assertTrue(molia.sendPlain(System.nanoTime(), wgPublic, request, 0, request.length), "session confirmed");
        flush(molia);
        byte[][] reply = new byte[1][];
        pumpUntil(molia, m -> {
            SessionManager.Delivery d = m.delivery();
            if (d.length >= 28 && d.data[d.offset + 9] == 1 && d.data[d.offset + 20] == 0) {
                reply[0] = java.util.Arrays.copyOfRange(d.data, d.offset, d.offset + d.length);
            }
            return reply[0] != null;
        }, 10);
        byte[] r = reply[0];
        assertEquals(0x45, r[0] & 0xff, "IPv4");
        assertEquals(List.of(WG_TUNNEL_IP[0], WG_TUNNEL_IP[1], WG_TUNNEL_IP[2], WG_TUNNEL_IP[3]),
                List.of(r[12], r[13], r[14], r[15]), "from wireguard-go's side of the tunnel");
        assertEquals(sequence, ((r[26] & 0xff) << 8) | (r[27] & 0xff), "echo reply to our sequence number");
    }

    private interface Condition {
        boolean test(SessionManager m) throws Exception;
    }

    /** Receives and feeds datagrams to {@code m}, sending what it answers, until {@code done} or the time limit. */
    private void pumpUntil(SessionManager m, Condition done, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (System.nanoTime() < deadline) {
            if (selector.select(100) > 0) {
                selector.selectedKeys().clear();
                InetSocketAddress from;
                while ((from = (InetSocketAddress) socket.receive(buf.clear())) != null) {
                    byte[] d = java.util.Arrays.copyOf(buf.array(), buf.position());
                    NodeAddress source = NodeAddress.parseIpv4(from.getAddress().getHostAddress() + ":" + from.getPort());
                    long now = System.nanoTime();
                    int status = m.onDatagram(now, WALL + now, source, d, 0, d.length);
                    if ((status == SessionManager.HANDLED || status == SessionManager.CONFIRMED)
                            && d[0] == WireGuardConstants.TYPE_TRANSPORT && d.length == 32) {
                        keepalivesSeen = true;
                    }
                    flush(m);
                    if (status == SessionManager.DELIVERED && done.test(m)) {
                        return;
                    }
                }
            }
            m.onTimer(System.nanoTime(), WALL + System.nanoTime());
            flush(m);
            if (done.test(m)) {
                return;
            }
        }
        fail("condition not reached in " + seconds + " s; counters: handshakes " + m.counters().handshakesCompleted
                + ", silent drops " + m.counters().silentDrops());
    }

    private static void flush(SessionManager m) throws IOException {
        SessionManager.Transmit t;
        while ((t = m.pollTransmit()) != null) {
            socket.send(ByteBuffer.wrap(t.data(), 0, t.length()), new InetSocketAddress(t.to().toString().split(":")[0],
                    t.to().port()));
        }
    }

    private static byte[] icmpEcho(int sequence) {
        byte[] p = new byte[28 + 8];
        p[0] = 0x45;
        p[3] = (byte) p.length;
        p[8] = 64; // TTL
        p[9] = 1; // ICMP
        System.arraycopy(MOLIA_TUNNEL_IP, 0, p, 12, 4);
        System.arraycopy(WG_TUNNEL_IP, 0, p, 16, 4);
        int ipSum = checksum(p, 0, 20);
        p[10] = (byte) (ipSum >>> 8);
        p[11] = (byte) ipSum;
        p[20] = 8; // echo request
        p[24] = 0x4d;
        p[25] = 0x4f; // identifier "MO"
        p[26] = (byte) (sequence >>> 8);
        p[27] = (byte) sequence;
        System.arraycopy("molia-wg".getBytes(StandardCharsets.US_ASCII), 0, p, 28, 8);
        int icmpSum = checksum(p, 20, p.length - 20);
        p[22] = (byte) (icmpSum >>> 8);
        p[23] = (byte) icmpSum;
        return p;
    }

    private static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static void inNs(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", NS));
        full.addAll(List.of(command));
        run(true, full.toArray(new String[0]));
    }

    private static int run(boolean mustSucceed, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (mustSucceed && code != 0) {
            fail(String.join(" ", command) + " failed (" + code + "): " + out.strip());
        }
        return code;
    }

    private static String output(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
