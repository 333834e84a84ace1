package io.molia.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.codec.MessageCodec;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreConfig;
import io.molia.core.NodeCore;
import io.molia.core.Outbound;
import io.molia.crypto.Ed25519Identity;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The node's in-process packet path for FIND_NODE, on one thread: a client seals a request on an established
 * session; the server decrypts it, decodes, answers from a 2,000-contact routing table, encodes and encrypts
 * the 20-contact answer. {@code clientSeal} alone is measured so the server's share can be read off.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PacketPathJmh {
    private static final long WALL = 1_790_000_000_000_000_000L;

    private SessionManager client;
    private SessionManager server;
    private NodeCore serverCore;
    private Contact clientContact;
    private Contact serverContact;
    private final byte[] request = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private int requestLength;
    private long now = 1_000_000_000L;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        byte[] clientSeed = new byte[32];
        byte[] serverSeed = new byte[32];
        random.nextBytes(clientSeed);
        random.nextBytes(serverSeed);
        clientContact = contact(clientSeed, 0x0a000001);
        serverContact = contact(serverSeed, 0x0a000002);
        client = new SessionManager(StaticIdentity.fromEd25519Seed(clientSeed), clientContact.publicKeyBytes(),
                new byte[32], 0, 2, 1024, random.split(), (id, key, pow) -> true);
        server = new SessionManager(StaticIdentity.fromEd25519Seed(serverSeed), serverContact.publicKeyBytes(),
                new byte[32], 0, 2, 1024, random.split(), (id, key, pow) -> true);
        serverCore = new NodeCore(CoreConfig.defaults(), serverContact, random.split(), now);
        for (int i = 0; i < 2_000; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            serverCore.addTrustedContact(now, new Contact(NodeId.ofPublicKey(key), key, 0,
                    NodeAddress.ipv4(random.nextInt(), 4000)), 30_000_000L);
        }
        requestLength = new MessageCodec(1).encodeFindNode(request, 0, 42,
                new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong()));
        // Establish the session: one round trip, then the client's key confirmation.
        client.send(now, WALL, serverContact, request, 0, requestLength);
        deliver(client, server);
        server.finishResponses(now);
        deliver(server, client);
        deliver(client, server);
        drain(client);
        drain(server);
    }

    private static Contact contact(byte[] seed, int ip) {
        byte[] key = Ed25519Identity.fromSeed(seed).publicKey();
        return new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(ip, 4000));
    }

    private void deliver(SessionManager from, SessionManager to) {
        SessionManager.Transmit t;
        while ((t = from.pollTransmit()) != null) {
            to.onDatagram(now, WALL, from == client ? clientContact.address() : serverContact.address(), t.data(), 0,
                    t.length());
        }
    }

    private static void drain(SessionManager m) {
        while (m.pollTransmit() != null) {
            // discard
        }
    }

    /** The client's part alone: seal one FIND_NODE request. */
    @Benchmark
    public int clientSeal() {
        client.send(now, WALL, serverContact, request, 0, requestLength);
        return client.pollTransmit().length();
    }

    /** Client seal + the whole server path: decrypt, decode, answer, encode, encrypt. */
    @Benchmark
    public int requestAndAnswer() {
        client.send(now, WALL, serverContact, request, 0, requestLength);
        SessionManager.Transmit sealed = client.pollTransmit();
        if (server.onDatagram(now, WALL, clientContact.address(), sealed.data(), 0, sealed.length())
                != SessionManager.DELIVERED) {
            throw new AssertionError("the request must authenticate");
        }
        SessionManager.Delivery d = server.delivery();
        serverCore.onDatagram(now, d.from, d.data, d.offset, d.length);
        Outbound answer = serverCore.pollTransmit();
        server.send(now, WALL, answer.to(), answer.data(), 0, answer.length());
        return server.pollTransmit().length();
    }
}
